/*
 * poll() and ppoll() with emulated fds: their masks come from the model (ready.c); to sleep,
 * the real poll() waits on their wake sockets (and the other fds) until one may be ready,
 * then the masks are asked again. ppoll's signal mask is installed only for that sleep, as
 * the kernel does (do_poll() looks at signals only when nothing is ready): a signal the
 * caller blocks and the mask lets through stays pending while the masks are asked, and
 * interrupts the sleep at once (EINTR).
 */
#include "shim.h"
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <time.h>

long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

int timeout_ms(long sec, long nsec)
{
    if (sec >= INT_MAX / 1000 - 1)
        return INT_MAX;
    return (int) (sec * 1000 + (nsec + 999999) / 1000000);
}

/* The real poll of `real`: with `sigmask` installed when it may sleep (nothing ready yet). */
static int real_poll(struct pollfd *real, nfds_t n, int wait, int ready, const sigset_t *sigmask)
{
    struct timespec ts = { wait / 1000, (wait % 1000) * 1000000L };

    if (sigmask == NULL || ready > 0)
        return NEXT(poll)(real, n, wait);
    return NEXT(ppoll)(real, n, wait < 0 ? NULL : &ts, sigmask);
}

int poll_emulated(struct pollfd *fds, unsigned long n, int timeout, const int *emu,
                  const sigset_t *sigmask)
{
    struct pollfd real[n > 0 ? n : 1];
    long deadline = now_ms() + (timeout > 0 ? timeout : 0);

    for (;;) {
        int count = 0, woken = 0;
        for (nfds_t i = 0; i < n; i++) {
            real[i] = fds[i];
            if (!emu[i])
                continue;
            fds[i].revents = model_revents(fds[i].fd, fds[i].events);
            count += fds[i].revents != 0;
            real[i].fd = wake_of(fds[i].fd);
            real[i].events = POLLIN;
        }
        long left = deadline - now_ms();
        int wait = count > 0 ? 0 : timeout < 0 ? -1 : left > 0 ? (int) left : 0;
        if (real_poll(real, n, wait, count, sigmask) < 0)
            return -1;
        for (nfds_t i = 0; i < n; i++) {
            if (emu[i])
                woken += (real[i].revents & POLLIN) != 0;
            else
                count += (fds[i].revents = real[i].revents) != 0;
        }
        if (count > 0)
            return count;
        if (!woken && timeout >= 0 && now_ms() >= deadline)
            return 0;
    }
}

/* Which of `fds` are emulated (emu[i]); how many. */
static int mark_emulated(const struct pollfd *fds, nfds_t n, int *emu)
{
    int any = 0;
    for (nfds_t i = 0; i < n; i++)
        any += emu[i] = fds[i].fd >= 0 && emulated_rdev(fds[i].fd) != 0;
    return any;
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    int emu[n > 0 ? n : 1];
    if (!mark_emulated(fds, n, emu))
        return NEXT(poll)(fds, n, timeout);
    return poll_emulated(fds, n, timeout, emu, NULL);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *sigmask)
{
    int emu[n > 0 ? n : 1];
    if (!mark_emulated(fds, n, emu))
        return NEXT(ppoll)(fds, n, tmo, sigmask);
    if (tmo != NULL && (tmo->tv_sec < 0 || tmo->tv_nsec < 0 || tmo->tv_nsec >= 1000000000L)) {
        errno = EINVAL;
        return -1;
    }
    int timeout = tmo == NULL ? -1 : timeout_ms(tmo->tv_sec, tmo->tv_nsec);
    return poll_emulated(fds, n, timeout, emu, sigmask);
}

/* The entry points of programs built with _FORTIFY_SOURCE (a Debian package's). */
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
    (void) fdslen;
    return poll(fds, n, timeout);
}

int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *sigmask,
                size_t fdslen)
{
    (void) fdslen;
    return ppoll(fds, n, tmo, sigmask);
}
