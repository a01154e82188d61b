/*
 * The shim's own channel to vdrm for an emulated fd, and what it keeps of each fd.
 *
 * umockdev's preload forwards an ioctl as its request and the argument's address, and the
 * handler then reads the argument back from the process: three crossings of its socket for
 * every call. On its own channel the shim sends the argument struct with the call (the
 * _IOC_SIZE bytes of a request that copies in), and vdrm answers with the bytes to write back
 * and the result: one round trip. Pointers inside the struct are still followed on demand, in
 * umockdev's words (read memory 5, write memory 6) on the same channel.
 *
 * An fd opened on an emulated node gets its channel at its first DRM ioctl: the shim asks the
 * file's id (VDRM_SHIM_ID, through umockdev) and connects to vdrm's `vdrm-call` socket with
 * it. A copy made by dup (dup.c) has a channel from the start, to `vdrm-dup`.
 */
#include "shim.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* vdrm's ioctl with its argument: the words (this, request, address, byte count), the bytes. */
#define REQ_IOCTL_ARG 0x101
#define RES_DONE 3
#define RES_READ_MEM 5
#define RES_WRITE_MEM 6

/* Each stored + 1: 0 is none. */
static struct { int chan; int wake; } fdstate[FDS_MAX];
static pthread_mutex_t fds_lock = PTHREAD_MUTEX_INITIALIZER;
/* One call at a time on a channel, as umockdev's preload does on its socket. */
static pthread_mutex_t call_lock[FDS_MAX] = { [0 ... FDS_MAX - 1] = PTHREAD_MUTEX_INITIALIZER };

int chan_of(int fd)
{
    return fd >= 0 && fd < FDS_MAX ? fdstate[fd].chan - 1 : -1;
}

void set_chan(int fd, int s)
{
    fdstate[fd].chan = s + 1;
}

int stored_wake(int fd)
{
    return fd >= 0 && fd < FDS_MAX ? fdstate[fd].wake - 1 : -1;
}

void set_wake(int fd, int s)
{
    fdstate[fd].wake = s + 1;
}

int full_io(int s, void *buf, size_t n, int out)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = out ? send(s, p, n, MSG_NOSIGNAL) : recv(s, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t) r;
    }
    return 0;
}

int connect_vdrm(const char *name)
{
    const char *root = getenv("UMOCKDEV_DIR");
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int s;

    if (root == NULL)
        return -1;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s/%s", root, name);
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s >= 0 && connect(s, (struct sockaddr *) &addr, sizeof addr) != 0) {
        close(s);
        return -1;
    }
    return s;
}

/* vdrm's answers to a call, until it is done: memory reads (5) and writes (6), then done (3). */
static long answers(int s)
{
    uint64_t w[3];
    for (;;) {
        if (full_io(s, w, sizeof w, 0) != 0) {
            errno = ENODEV;
            return -1;
        }
        if (w[0] == RES_READ_MEM && full_io(s, (void *) (uintptr_t) w[1], w[2], 1) != 0)
            return -1;
        if (w[0] == RES_WRITE_MEM && full_io(s, (void *) (uintptr_t) w[1], w[2], 0) != 0)
            return -1;
        if (w[0] == RES_DONE) {
            if ((int64_t) w[1] < 0)
                errno = (int) w[2];
            return (long) (int64_t) w[1];
        }
    }
}

/* One message on `fd`'s channel: `head` words, then `n` bytes at `bytes`; then the answers. */
static long chan_send(int fd, const uint64_t *head, size_t words, const void *bytes, size_t n)
{
    char small[512];
    size_t hn = words * sizeof *head;
    int s = chan_of(fd), ok;
    long r;

    pthread_mutex_lock(&call_lock[fd]);
    if (hn + n <= sizeof small) {
        memcpy(small, head, hn);
        memcpy(small + hn, bytes, n);
        ok = full_io(s, small, hn + n, 1) == 0;
    } else {
        ok = full_io(s, (void *) head, hn, 1) == 0 && full_io(s, (void *) bytes, n, 1) == 0;
    }
    r = ok ? answers(s) : -1;
    if (!ok)
        errno = ENODEV;
    pthread_mutex_unlock(&call_lock[fd]);
    return r;
}

long chan_call(int fd, uint64_t cmd, uint64_t a1, uint64_t a2)
{
    uint64_t w[3] = { cmd, a1, a2 };
    return chan_send(fd, w, 3, NULL, 0);
}

/* An ioctl on the channel, with the argument struct when the request copies it in. */
long chan_ioctl(int fd, unsigned long request, void *arg)
{
    size_t n = (_IOC_DIR(request) & _IOC_WRITE) && arg != NULL ? _IOC_SIZE(request) : 0;
    uint64_t w[4] = { REQ_IOCTL_ARG, request, (uint64_t) (uintptr_t) arg, n };
    return chan_send(fd, w, 4, arg, n);
}

/* The id of the file behind `fd` (VDRM_SHIM_ID), asked through `ask`. */
static int ask_id(int fd, uint64_t *id, int (*ask)(int, unsigned long, ...))
{
    *id = 0;
    return ask(fd, VDRM_SHIM_ID, id) == 0 && *id != 0 ? 0 : -1;
}

int file_id(int fd, uint64_t *id)
{
    return ask_id(fd, id, ioctl);
}

/* Connects `name` with `hello` (two words) and reads vdrm's answer: ok, errno. */
int hello_vdrm(const char *name, const uint64_t hello[2], int *err)
{
    uint64_t answer[2] = { 0, 0 };
    int s = connect_vdrm(name);

    if (s < 0 || full_io(s, (void *) hello, 2 * sizeof *hello, 1) != 0
        || full_io(s, answer, sizeof answer, 0) != 0 || answer[0] == 0) {
        if (s >= 0)
            NEXT(close)(s);
        *err = answer[1] != 0 ? (int) answer[1] : EBADF;
        return -1;
    }
    return s;
}

/* The channel of an fd open on an emulated node, made on first use; -1 when there is none. */
int open_chan(int fd)
{
    uint64_t hello[2] = { 0, 0 };
    int s, err;

    if (fd < 0 || fd >= FDS_MAX)
        return -1;
    pthread_mutex_lock(&fds_lock);
    s = chan_of(fd);
    if (s < 0 && ask_id(fd, &hello[0], NEXT(ioctl)) == 0)
        s = hello_vdrm("vdrm-call", hello, &err);
    if (s >= 0)
        set_chan(fd, s);
    pthread_mutex_unlock(&fds_lock);
    return s;
}

void forget(int fd)
{
    if (fd < 0 || fd >= FDS_MAX)
        return;
    pthread_mutex_lock(&fds_lock);
    int chan = fdstate[fd].chan - 1, wake = fdstate[fd].wake - 1;
    fdstate[fd].chan = fdstate[fd].wake = 0;
    pthread_mutex_unlock(&fds_lock);
    if (chan >= 0)
        NEXT(close)(chan);
    if (wake >= 0)
        NEXT(close)(wake);
}
