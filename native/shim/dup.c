/*
 * dup(), dup2(), dup3() and fcntl(F_DUPFD, F_DUPFD_CLOEXEC) of an emulated fd: a real copy of
 * the fd and a copy of the model's file (one open file, two fds, as dup makes). umockdev 0.17
 * knows only the original, so the copy's calls go over a channel of its own (channel.c),
 * connected to vdrm's `vdrm-dup` socket with the id of the file copied.
 */
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

/* After a real copy `newfd` of the emulated `oldfd`: the model's file is duplicated too. */
static int track_dup(int oldfd, int newfd, int cloexec)
{
    uint64_t hello[2] = { 0, (uint64_t) cloexec };
    int s, err, saved = errno;

    if (newfd < 0 || newfd >= FDS_MAX || file_id(oldfd, &hello[0]) != 0)
        return newfd;
    s = hello_vdrm("vdrm-dup", hello, &err);
    if (s < 0) {
        NEXT(close)(newfd);
        errno = err;
        return -1;
    }
    set_chan(newfd, s);
    errno = saved;
    return newfd;
}

int dup(int oldfd)
{
    int fd = NEXT(dup)(oldfd);
    return fd >= 0 && emulated_rdev(oldfd) != 0 ? track_dup(oldfd, fd, 0) : fd;
}

int dup3(int oldfd, int newfd, int flags)
{
    if (oldfd != newfd && emulated_rdev(newfd) != 0)
        close(newfd); /* through umockdev's close, which forgets its socket */
    else
        forget(newfd);
    int fd = NEXT(dup3)(oldfd, newfd, flags);
    if (fd < 0 || emulated_rdev(oldfd) == 0)
        return fd;
    return track_dup(oldfd, fd, (flags & O_CLOEXEC) != 0);
}

int dup2(int oldfd, int newfd)
{
    if (oldfd == newfd)
        return NEXT(dup2)(oldfd, newfd);
    return dup3(oldfd, newfd, 0);
}

static int fcntl_common(int fd, int cmd, void *arg, int (*next)(int, int, ...))
{
    int r = next(fd, cmd, arg);
    if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && emulated_rdev(fd) != 0)
        return track_dup(fd, r, cmd == F_DUPFD_CLOEXEC);
    return r;
}

int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_common(fd, cmd, arg, NEXT(fcntl));
}

int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return fcntl_common(fd, cmd, arg, NEXT(fcntl64));
}
