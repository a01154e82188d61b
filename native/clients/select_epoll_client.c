/*
 * A real libdrm program for vdrm's `vdrm exec` tests of select(), epoll and ppoll()'s signal
 * mask on a DRM fd (vdrm's shim, native/shim/select.c, epoll.c, poll.c). It blocks SIGUSR1 and
 * raises it, then ppolls its idle card: with a mask that keeps SIGUSR1 blocked the call times
 * out (0), with one that lets it through it fails at once with EINTR and the handler runs.
 * It adds the card to an epoll set with a pipe, lights the display and flips it with an event:
 * epoll_wait reports the card with the caller's data once the flip is done, and again while
 * the event is unread (level-triggered), once per flip with EPOLLET; select() says the card is
 * readable while an event is queued and sleeps until the next flip. One "key value" line per
 * fact, which the tests read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>
#include "kms_flip.h"

static volatile sig_atomic_t handled;
static uint32_t crtc, fb;

static void on_usr1(int sig)
{
    (void) sig;
    handled++;
}

static void flip(int fd, unsigned long data)
{
    int r = drmModePageFlip(fd, crtc, fb, DRM_MODE_PAGE_FLIP_EVENT, (void *) data);
    printf("page_flip %s\n", err(r));
}

static void read_event(int fd)
{
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf);
    struct drm_event_vblank *ev = (struct drm_event_vblank *) buf;
    if (n >= (ssize_t) sizeof *ev)
        printf("event type=%u user_data=0x%llx\n", ev->base.type,
               (unsigned long long) ev->user_data);
    else
        printf("event %s\n", n < 0 ? strerrorname_np(errno) : "short");
}

/* ppoll of the idle card with SIGUSR1 pending: "NAME RET ERRNO handled=N". */
static void ppoll_pending(const char *name, int fd, const sigset_t *mask, long ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    handled = 0;
    int r = ppoll(&p, 1, &t, mask);
    printf("%s %d %s handled=%d\n", name, r, r < 0 ? strerrorname_np(errno) : "-", (int) handled);
}

/* epoll_wait: "NAME RET events=0xE data=0xD" for its first event. */
static void epoll_one(const char *name, int ep, int timeout)
{
    struct epoll_event evs[4];
    int r = epoll_wait(ep, evs, 4, timeout);
    if (r > 0)
        printf("%s %d events=0x%x data=0x%llx\n", name, r, evs[0].events,
               (unsigned long long) evs[0].data.u64);
    else
        printf("%s %d\n", name, r);
}

/* select() of the card for reading: "NAME RET isset=B". */
static void select_one(const char *name, int fd, long ms)
{
    fd_set r;
    FD_ZERO(&r);
    FD_SET(fd, &r);
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    int n = select(fd + 1, &r, NULL, NULL, &tv);
    printf("%s %d isset=%d\n", name, n, n >= 0 && FD_ISSET(fd, &r));
}

static void signal_mask_facts(int fd)
{
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigset_t usr1, keep, let;
    sigaction(SIGUSR1, &sa, NULL);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &let);
    keep = usr1;
    raise(SIGUSR1);
    ppoll_pending("ppoll_blocked", fd, &keep, 50);
    ppoll_pending("ppoll_unblocked", fd, &let, 10000);
}

static void epoll_facts(int fd)
{
    int ep = epoll_create1(EPOLL_CLOEXEC), pipefd[2];
    struct epoll_event card = { .events = EPOLLIN, .data.u64 = 0xc0ffee };
    struct epoll_event other = { .events = EPOLLIN, .data.u64 = 0x99 };
    if (pipe(pipefd) != 0)
        return;
    printf("epoll_add %s\n", err(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &card)));
    printf("epoll_add_again %s\n", err(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &card)));
    printf("epoll_add_pipe %s\n", err(epoll_ctl(ep, EPOLL_CTL_ADD, pipefd[0], &other)));
    epoll_one("epoll_idle", ep, 0);
    char byte = 1;
    if (write(pipefd[1], &byte, 1) == 1)
        epoll_one("epoll_pipe", ep, 0);
    if (read(pipefd[0], &byte, 1) != 1 || light_and_flip(fd, 0x1234, &crtc, &fb) != 0)
        return;
    epoll_one("epoll_flip", ep, 2000);
    epoll_one("epoll_level", ep, 0);
    select_one("select_ready", fd, 0);
    read_event(fd);
    epoll_one("epoll_read", ep, 0);
    select_one("select_idle", fd, 50);
    flip(fd, 0x5678);
    select_one("select_flip", fd, 2000);
    read_event(fd);
    card.events = EPOLLIN | EPOLLET;
    printf("epoll_mod_et %s\n", err(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &card)));
    flip(fd, 0x9abc);
    epoll_one("epoll_et", ep, 2000);
    epoll_one("epoll_et_again", ep, 0);
    read_event(fd);
    printf("epoll_del %s\n", err(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL)));
    printf("epoll_del_again %s\n", err(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL)));
    close(pipefd[0]);
    close(pipefd[1]);
    close(ep);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
    printf("open %s\n", fd < 0 ? strerrorname_np(errno) : "ok");
    if (fd < 0)
        return 3;
    signal_mask_facts(fd);
    epoll_facts(fd);
    printf("close %d\n", close(fd));
    return 0;
}
