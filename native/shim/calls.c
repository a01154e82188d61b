/*
 * ioctl(), read(), write() and close() of an emulated fd. A DRM ioctl (type 'd') or one of
 * vdrm's own ('v') goes over the fd's channel (channel.c), made at the first such call, with
 * its argument struct; read() and write() go there once the fd has one. Everything else goes
 * on to umockdev's preload, which forwards it over its own socket.
 */
#include "shim.h"
#include <stdarg.h>
#include <unistd.h>

#define REQ_READ 7
#define REQ_WRITE 8

static int ours(unsigned long request)
{
    return _IOC_TYPE(request) == 'd' || _IOC_TYPE(request) == 'v';
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    void *arg;
    int s = chan_of(fd);

    va_start(ap, request);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (s < 0 && ours(request) && emulated_rdev(fd) != 0)
        s = open_chan(fd);
    if (s >= 0)
        return (int) chan_ioctl(fd, request, arg);
    return NEXT(ioctl)(fd, request, arg);
}

ssize_t read(int fd, void *buf, size_t count)
{
    if (chan_of(fd) >= 0)
        return chan_call(fd, REQ_READ, (uint64_t) (uintptr_t) buf, count);
    return NEXT(read)(fd, buf, count);
}

ssize_t write(int fd, const void *buf, size_t count)
{
    if (chan_of(fd) >= 0)
        return chan_call(fd, REQ_WRITE, (uint64_t) (uintptr_t) buf, count);
    return NEXT(write)(fd, buf, count);
}

int close(int fd)
{
    epoll_forget(fd);
    forget(fd);
    return NEXT(close)(fd);
}
