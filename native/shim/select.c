/*
 * select() and pselect() with emulated fds: the sets become a poll() of the same fds (poll.c),
 * read as the kernel maps poll bits to select's (fs/select.c: POLLIN, POLLHUP and POLLERR make
 * an fd readable, POLLOUT and POLLERR writable, POLLPRI exceptional). select() leaves the time
 * not slept in its timeout, as Linux's does; pselect()'s signal mask is poll.c's ppoll's.
 */
#include "shim.h"
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <sys/select.h>

#define IN_BITS (POLLIN | POLLRDNORM | POLLHUP | POLLERR)
#define OUT_BITS (POLLOUT | POLLWRNORM | POLLERR)
#define EX_BITS POLLPRI

static int in(const fd_set *set, int fd)
{
    return set != NULL && FD_ISSET(fd, set);
}

/* The sets as pollfds (at most FD_SETSIZE); how many are emulated. */
static int to_pollfds(int nfds, fd_set *r, fd_set *w, fd_set *e, struct pollfd *fds, int *emu,
                      int *n)
{
    int any = 0;
    *n = 0;
    for (int fd = 0; fd < nfds && fd < FD_SETSIZE; fd++) {
        short events = (in(r, fd) ? POLLIN : 0) | (in(w, fd) ? POLLOUT : 0);
        events |= in(e, fd) ? POLLPRI : 0;
        if (events == 0)
            continue;
        fds[*n] = (struct pollfd) { .fd = fd, .events = events };
        any += emu[*n] = emulated_rdev(fd) != 0;
        (*n)++;
    }
    return any;
}

/* The poll's answers written back into the sets; the count of bits set, or -1 (EBADF). */
static int from_pollfds(const struct pollfd *fds, int n, fd_set *r, fd_set *w, fd_set *e)
{
    int count = 0;
    for (int i = 0; i < n; i++)
        if (fds[i].revents & POLLNVAL) {
            errno = EBADF;
            return -1;
        }
    for (int i = 0; i < n; i++) {
        int fd = fds[i].fd;
        short got = fds[i].revents;
        if (in(r, fd) && !(got & IN_BITS))
            FD_CLR(fd, r);
        if (in(w, fd) && !(got & OUT_BITS))
            FD_CLR(fd, w);
        if (in(e, fd) && !(got & EX_BITS))
            FD_CLR(fd, e);
        count += in(r, fd) + in(w, fd) + in(e, fd);
    }
    return count;
}

static int select_emulated(int nfds, fd_set *r, fd_set *w, fd_set *e, int timeout,
                           const sigset_t *mask)
{
    struct pollfd fds[FD_SETSIZE];
    int emu[FD_SETSIZE], n;

    if (!to_pollfds(nfds, r, w, e, fds, emu, &n))
        return -2;
    if (poll_emulated(fds, (unsigned long) n, timeout, emu, mask) < 0)
        return -1;
    return from_pollfds(fds, n, r, w, e);
}

int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
    int timeout = tv == NULL ? -1 : timeout_ms(tv->tv_sec, tv->tv_usec * 1000L);
    long start = now_ms();
    int ret;

    if (nfds < 0 || (tv != NULL && (tv->tv_sec < 0 || tv->tv_usec < 0))) {
        errno = EINVAL;
        return -1;
    }
    ret = select_emulated(nfds, r, w, e, timeout, NULL);
    if (ret == -2)
        return NEXT(select)(nfds, r, w, e, tv);
    if (tv != NULL) {
        long left = timeout - (now_ms() - start);
        left = left > 0 ? left : 0;
        tv->tv_sec = left / 1000;
        tv->tv_usec = (left % 1000) * 1000;
    }
    return ret;
}

int pselect(int nfds, fd_set *r, fd_set *w, fd_set *e, const struct timespec *ts,
            const sigset_t *mask)
{
    int timeout = ts == NULL ? -1 : timeout_ms(ts->tv_sec, ts->tv_nsec);
    int ret;

    int bad_ts = ts != NULL && (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L);
    if (nfds < 0 || bad_ts) {
        errno = EINVAL;
        return -1;
    }
    ret = select_emulated(nfds, r, w, e, timeout, mask);
    return ret == -2 ? NEXT(pselect)(nfds, r, w, e, ts, mask) : ret;
}
