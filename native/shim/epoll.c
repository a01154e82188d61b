/*
 * epoll on emulated fds. epoll_ctl() does not add the fd (its pty is never ready) but its wake
 * socket (ready.c), with a record of the shim's as the event's data; epoll_wait() turns a
 * record's wake-up into the model file's mask, asked then (nothing reported when it is not
 * ready), with the caller's own data. Level-triggered as epoll is by default: a record that
 * was ready is asked again at the next wait, before sleeping, and reported while it stays
 * ready; EPOLLET reports a file once per wake-up, EPOLLONESHOT once until EPOLL_CTL_MOD.
 * A record goes when its fd or its epoll fd is closed, or with EPOLL_CTL_DEL.
 */
#include "shim.h"
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/epoll.h>

#define RECORDS_MAX 256
/* The most events one wait takes from the real epoll (fewer than ready is allowed). */
#define GOT_MAX 256
struct record {
    int used, epfd, fd, recheck, armed, seen;
    uint32_t events;
    epoll_data_t data;
};
static struct record records[RECORDS_MAX];
static pthread_mutex_t records_lock = PTHREAD_MUTEX_INITIALIZER;

static struct record *find(int epfd, int fd)
{
    for (int i = 0; i < RECORDS_MAX; i++)
        if (records[i].used && records[i].epfd == epfd && records[i].fd == fd)
            return &records[i];
    return NULL;
}

/* The record an event of the real epoll_wait carries, or NULL: a fd of the caller's own. */
static struct record *record_of(const struct epoll_event *ev)
{
    struct record *r = ev->data.ptr;
    if ((char *) r < (char *) records || (char *) r >= (char *) (records + RECORDS_MAX))
        return NULL;
    return (size_t) ((char *) r - (char *) records) % sizeof *r == 0 && r->used ? r : NULL;
}

void epoll_forget(int fd)
{
    pthread_mutex_lock(&records_lock);
    for (int i = 0; i < RECORDS_MAX; i++)
        if (records[i].used && (records[i].fd == fd || records[i].epfd == fd))
            records[i].used = 0;
    pthread_mutex_unlock(&records_lock);
}

static int ctl_add(int epfd, int fd, const struct epoll_event *ev, int wake)
{
    struct record *r = NULL;
    for (int i = 0; i < RECORDS_MAX && r == NULL; i++)
        if (!records[i].used)
            r = &records[i];
    if (r == NULL) {
        errno = ENOSPC;
        return -1;
    }
    struct epoll_event ours = { .events = EPOLLIN, .data.ptr = r };
    if (NEXT(epoll_ctl)(epfd, EPOLL_CTL_ADD, wake, &ours) != 0)
        return -1;
    *r = (struct record) { 1, epfd, fd, 1, 1, 0, ev->events, ev->data };
    return 0;
}

static int ctl_emulated(int epfd, int op, int fd, struct epoll_event *ev)
{
    int wake = wake_of(fd), ret = 0;
    if (wake < 0) {
        errno = ENODEV;
        return -1;
    }
    if (op != EPOLL_CTL_DEL && ev == NULL) {
        errno = EFAULT;
        return -1;
    }
    pthread_mutex_lock(&records_lock);
    struct record *r = find(epfd, fd);
    if (op == EPOLL_CTL_ADD && r != NULL) {
        errno = EEXIST;
        ret = -1;
    } else if (op == EPOLL_CTL_ADD) {
        ret = ctl_add(epfd, fd, ev, wake);
    } else if (r == NULL) {
        errno = ENOENT;
        ret = -1;
    } else if (op == EPOLL_CTL_MOD) {
        r->events = ev->events;
        r->data = ev->data;
        r->recheck = r->armed = 1;
    } else if ((ret = NEXT(epoll_ctl)(epfd, EPOLL_CTL_DEL, wake, NULL)) == 0) {
        r->used = 0;
    }
    pthread_mutex_unlock(&records_lock);
    return ret;
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    if (emulated_rdev(fd) == 0)
        return NEXT(epoll_ctl)(epfd, op, fd, ev);
    return ctl_emulated(epfd, op, fd, ev);
}

/* Asks the model for `r`'s file; fills `out` and returns 1 when it is to be reported. */
static int report(struct record *r, struct epoll_event *out)
{
    uint32_t want = r->events & (EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDNORM | EPOLLWRNORM);
    uint32_t mask;

    r->recheck = 0;
    r->seen = 1;
    if (!r->armed) {
        drain_wake(r->fd);
        return 0;
    }
    mask = (uint16_t) model_revents(r->fd, (short) want) & (want | EPOLLERR | EPOLLHUP);
    if (mask == 0)
        return 0;
    out->events = mask;
    out->data = r->data;
    r->recheck = !(r->events & EPOLLET);
    r->armed = !(r->events & EPOLLONESHOT);
    return 1;
}

/* The records of `epfd` to ask before sleeping (added, modified, or ready at the last wait). */
static int rechecks(int epfd, struct epoll_event *out, int max, int *pending)
{
    int n = 0;
    *pending = 0;
    for (int i = 0; i < RECORDS_MAX && n < max; i++) {
        struct record *r = &records[i];
        if (!r->used || r->epfd != epfd)
            continue;
        (*pending)++;
        r->seen = 0;
        if (r->recheck)
            n += report(r, &out[n]);
    }
    return n;
}

/* The real wait's events, a record's turned into its file's (or dropped), after `out[0..n)`. */
static int translate(struct epoll_event *got, int k, struct epoll_event *out, int n)
{
    for (int i = 0; i < k; i++) {
        struct record *r = record_of(&got[i]);
        if (r == NULL)
            out[n++] = got[i];
        else if (!r->seen)
            n += report(r, &out[n]);
    }
    return n;
}

static int wait_emulated(int epfd, struct epoll_event *out, int max, int timeout,
                         const sigset_t *mask)
{
    int cap = max < GOT_MAX ? max : GOT_MAX;
    struct epoll_event got[cap];
    long deadline = now_ms() + (timeout > 0 ? timeout : 0);
    int n, k, pending;

    for (;;) {
        pthread_mutex_lock(&records_lock);
        n = rechecks(epfd, out, max, &pending);
        pthread_mutex_unlock(&records_lock);
        if (n == max)
            return n;
        long left = deadline - now_ms();
        int wait = n > 0 ? 0 : timeout < 0 ? -1 : left > 0 ? (int) left : 0;
        if (n > 0 || mask == NULL)
            k = NEXT(epoll_wait)(epfd, got, max - n < cap ? max - n : cap, wait);
        else
            k = NEXT(epoll_pwait)(epfd, got, cap, wait, mask);
        if (k < 0)
            return n > 0 ? n : -1;
        pthread_mutex_lock(&records_lock);
        n = translate(got, k, out, n);
        pthread_mutex_unlock(&records_lock);
        if (n > 0 || pending == 0 || (timeout >= 0 && now_ms() >= deadline))
            return n;
    }
}

int epoll_pwait(int epfd, struct epoll_event *events, int max, int timeout, const sigset_t *mask)
{
    if (max <= 0) {
        errno = EINVAL;
        return -1;
    }
    return wait_emulated(epfd, events, max, timeout, mask);
}

int epoll_wait(int epfd, struct epoll_event *events, int max, int timeout)
{
    return epoll_pwait(epfd, events, max, timeout, NULL);
}
