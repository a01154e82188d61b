/*
 * vdrm's preload shim for `vdrm exec`, loaded before umockdev's preload (LD_PRELOAD order).
 * umockdev 0.17 emulates a device node as a pty: stat() on its path reports the emulated
 * char device, but fstat() on an open fd reports the pty (136:N), so libdrm's
 * drmGetDevice2(fd) cannot find the device. This shim answers fstat() and its variants on such
 * an fd with the node's own major:minor, found as umockdev records it: the pty's name maps to
 * "major:minor" through the link $UMOCKDEV_DIR/dev/.ptymap/<pty path with / as _>.
 *
 * umockdev does not emulate mmap() (the pty has none). On an emulated fd, this shim asks vdrm
 * with a private ioctl on the fd (VDRM_SHIM_MMAP, which umockdev forwards to vdrm's bridge
 * like any other): vdrm maps the offset in the model and answers with a file that mirrors
 * the model's mapping (src/exec/mappings.ts), which the shim maps in the caller's place; or
 * fails with the model's errno (ENODEV after an unplug). munmap() of such a mapping tells vdrm
 * (VDRM_SHIM_MUNMAP) while the fd is open; otherwise the model's mapping goes at exit.
 *
 * poll() and ppoll() on an emulated fd ask vdrm for the model file's ready mask
 * (VDRM_SHIM_POLL); to sleep, they poll a socket of vdrm's instead of the fd, which vdrm wakes
 * when the model's file becomes ready (src/exec/shim_files.ts). dup(), dup2(), dup3() and
 * fcntl(F_DUPFD, F_DUPFD_CLOEXEC) of an emulated fd make a real copy of the fd and a copy of
 * the model's file (vdrm's `vdrm-dup` socket), and the copy's ioctl(), read() and write() go
 * there: this shim speaks umockdev's protocol for it, umockdev 0.17 knowing only the original.
 *
 * Our own code, written for vdrm (MIT); it calls the next definition of each function.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/*
 * umockdev's preload waits for each answer of the handler in short sleeps; with the default
 * timer slack (50 us) each costs more than the model's answer. A slack of 1 ns keeps the
 * sleeps short (it only changes how precisely this process's timers expire).
 */
__attribute__((constructor)) static void vdrm_shim_init(void)
{
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}

/* The emulated device number of an fd open on an emulated node, or 0. */
static dev_t emulated_rdev(int fd)
{
    const char *root = getenv("UMOCKDEV_DIR");
    char proc[64], target[PATH_MAX], map[2 * PATH_MAX], majmin[64];
    unsigned major, minor;
    ssize_t n;

    if (root == NULL || fd < 0)
        return 0;
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    n = readlink(proc, target, sizeof target - 1);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    if (strncmp(target, "/dev/pts/", 9) != 0)
        return 0;
    for (char *c = target; *c; c++)
        if (*c == '/')
            *c = '_';
    snprintf(map, sizeof map, "%s/dev/.ptymap/%s", root, target);
    n = readlink(map, majmin, sizeof majmin - 1);
    if (n <= 0)
        return 0;
    majmin[n] = '\0';
    if (sscanf(majmin, "%u:%u", &major, &minor) != 2)
        return 0;
    return makedev(major, minor);
}

static void fix_stat(int fd, int ret, struct stat *st)
{
    dev_t rdev;
    int saved = errno;

    if (ret == 0 && S_ISCHR(st->st_mode) && (rdev = emulated_rdev(fd)) != 0)
        st->st_rdev = rdev;
    errno = saved;
}

#define NEXT(name) ((__typeof__(&name)) dlsym(RTLD_NEXT, #name))

int fstat(int fd, struct stat *st)
{
    int ret = NEXT(fstat)(fd, st);
    fix_stat(fd, ret, st);
    return ret;
}

int fstat64(int fd, struct stat64 *st)
{
    int ret = NEXT(fstat64)(fd, st);
    fix_stat(fd, ret, (struct stat *) st);
    return ret;
}

int __fxstat(int ver, int fd, struct stat *st)
{
    int ret = NEXT(__fxstat)(ver, fd, st);
    fix_stat(fd, ret, st);
    return ret;
}

int __fxstat64(int ver, int fd, struct stat64 *st)
{
    int ret = NEXT(__fxstat64)(ver, fd, st);
    fix_stat(fd, ret, (struct stat *) st);
    return ret;
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
    int ret = NEXT(fstatat)(dirfd, path, st, flags);
    if ((flags & AT_EMPTY_PATH) && path[0] == 0)
        fix_stat(dirfd, ret, st);
    return ret;
}

/* The private requests; the layouts are src/exec/mappings.ts's. */
struct vdrm_shim_mmap {
    uint64_t offset;   /* in: the fake offset; out: the mirror's id */
    uint64_t length;
    char path[240];    /* out: the mirror file */
};
struct vdrm_shim_munmap {
    uint64_t id;
    uint64_t length;
};
#define VDRM_SHIM_MMAP _IOWR('v', 0x01, struct vdrm_shim_mmap)
#define VDRM_SHIM_MUNMAP _IOW('v', 0x02, struct vdrm_shim_munmap)

#define MIRRORS_MAX 256
static struct { void *addr; size_t length; int fd; uint64_t id; } mirrors[MIRRORS_MAX];
static pthread_mutex_t mirrors_lock = PTHREAD_MUTEX_INITIALIZER;

static void *map_emulated(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    struct vdrm_shim_mmap req = { .offset = (uint64_t) offset, .length = length };
    void *p;
    int mfd, saved;

    if (ioctl(fd, VDRM_SHIM_MMAP, &req) != 0)
        return MAP_FAILED;
    req.path[sizeof req.path - 1] = '\0';
    mfd = open(req.path, O_RDWR | O_CLOEXEC);
    if (mfd < 0)
        return MAP_FAILED;
    p = NEXT(mmap)(addr, length, prot, flags, mfd, 0);
    saved = errno;
    close(mfd);
    errno = saved;
    if (p == MAP_FAILED)
        return p;
    pthread_mutex_lock(&mirrors_lock);
    for (int i = 0; i < MIRRORS_MAX; i++) {
        if (mirrors[i].addr == NULL) {
            mirrors[i].addr = p;
            mirrors[i].length = length;
            mirrors[i].fd = fd;
            mirrors[i].id = req.offset;
            break;
        }
    }
    pthread_mutex_unlock(&mirrors_lock);
    return p;
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    if (emulated_rdev(fd) != 0)
        return map_emulated(addr, length, prot, flags, fd, offset);
    return NEXT(mmap)(addr, length, prot, flags, fd, offset);
}

void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off64_t offset)
{
    if (emulated_rdev(fd) != 0)
        return map_emulated(addr, length, prot, flags, fd, (off_t) offset);
    return NEXT(mmap64)(addr, length, prot, flags, fd, offset);
}

int munmap(void *addr, size_t length)
{
    struct vdrm_shim_munmap req = { 0 };
    int fd = -1;

    pthread_mutex_lock(&mirrors_lock);
    for (int i = 0; i < MIRRORS_MAX; i++) {
        if (mirrors[i].addr == addr && addr != NULL) {
            fd = mirrors[i].fd;
            req.id = mirrors[i].id;
            req.length = mirrors[i].length;
            mirrors[i].addr = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&mirrors_lock);
    if (fd >= 0 && emulated_rdev(fd) != 0) {
        int saved = errno;
        ioctl(fd, VDRM_SHIM_MUNMAP, &req);
        errno = saved;
    }
    return NEXT(munmap)(addr, length);
}

/* ---- poll and dup --------------------------------------------------------------------- */

#define VDRM_SHIM_ID _IOR('v', 0x03, uint64_t)
struct vdrm_shim_poll {
    uint32_t events;
    uint32_t revents;
};
#define VDRM_SHIM_POLL _IOWR('v', 0x04, struct vdrm_shim_poll)

/* What the shim keeps of an fd: the socket of a copy (dup) it serves itself, its wake socket. */
#define FDS_MAX 4096
static struct { int chan; int wake; } fdstate[FDS_MAX]; /* each stored + 1: 0 is none */
static pthread_mutex_t fds_lock = PTHREAD_MUTEX_INITIALIZER;

static int chan_of(int fd)
{
    return fd >= 0 && fd < FDS_MAX ? fdstate[fd].chan - 1 : -1;
}

static int full_io(int s, void *buf, size_t n, int out)
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

/*
 * One call over a copy's socket, umockdev's protocol from the client's side: the request's
 * three words, then vdrm reads (5) or writes (6) this process's memory until it is done (3).
 */
static long chan_call(int s, uint64_t cmd, uint64_t a1, uint64_t a2)
{
    uint64_t w[3] = { cmd, a1, a2 };
    if (full_io(s, w, sizeof w, 1) != 0) {
        errno = ENODEV;
        return -1;
    }
    for (;;) {
        if (full_io(s, w, sizeof w, 0) != 0) {
            errno = ENODEV;
            return -1;
        }
        if (w[0] == 5 && full_io(s, (void *) (uintptr_t) w[1], w[2], 1) != 0)
            return -1;
        if (w[0] == 6 && full_io(s, (void *) (uintptr_t) w[1], w[2], 0) != 0)
            return -1;
        if (w[0] == 3) {
            if ((int64_t) w[1] < 0)
                errno = (int) w[2];
            return (long) (int64_t) w[1];
        }
    }
}

static int connect_vdrm(const char *name)
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

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    void *arg;
    int s = chan_of(fd);

    va_start(ap, request);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (s >= 0)
        return (int) chan_call(s, 1, request, (uint64_t) (uintptr_t) arg);
    return NEXT(ioctl)(fd, request, arg);
}

ssize_t read(int fd, void *buf, size_t count)
{
    int s = chan_of(fd);
    if (s >= 0)
        return chan_call(s, 7, (uint64_t) (uintptr_t) buf, count);
    return NEXT(read)(fd, buf, count);
}

ssize_t write(int fd, const void *buf, size_t count)
{
    int s = chan_of(fd);
    if (s >= 0)
        return chan_call(s, 8, (uint64_t) (uintptr_t) buf, count);
    return NEXT(write)(fd, buf, count);
}

/* Forgets what the shim kept of `fd` (closed, or about to be replaced by dup2). */
static void forget(int fd)
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

int close(int fd)
{
    forget(fd);
    return NEXT(close)(fd);
}

/* After a real copy `newfd` of the emulated `oldfd`: the model's file is duplicated too. */
static int track_dup(int oldfd, int newfd, int cloexec)
{
    uint64_t id = 0, hello[2], answer[2] = { 0, 0 };
    int s, saved = errno;

    if (newfd < 0 || newfd >= FDS_MAX || ioctl(oldfd, VDRM_SHIM_ID, &id) != 0)
        return newfd;
    s = connect_vdrm("vdrm-dup");
    hello[0] = id;
    hello[1] = (uint64_t) cloexec;
    if (s < 0 || full_io(s, hello, sizeof hello, 1) != 0 || full_io(s, answer, sizeof answer, 0) != 0
        || answer[0] == 0) {
        if (s >= 0)
            NEXT(close)(s);
        NEXT(close)(newfd);
        errno = s >= 0 && answer[1] != 0 ? (int) answer[1] : EBADF;
        return -1;
    }
    fdstate[newfd].chan = s + 1;
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
    return fd >= 0 && emulated_rdev(oldfd) != 0 ? track_dup(oldfd, fd, (flags & O_CLOEXEC) != 0) : fd;
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

/* The socket vdrm wakes when the model's file of `fd` may be ready; made on first use. */
static int wake_of(int fd)
{
    uint64_t id = 0, ack;
    int s;

    if (fd < 0 || fd >= FDS_MAX)
        return -1;
    if (fdstate[fd].wake > 0)
        return fdstate[fd].wake - 1;
    if (ioctl(fd, VDRM_SHIM_ID, &id) != 0 || (s = connect_vdrm("vdrm-wake")) < 0)
        return -1;
    if (full_io(s, &id, sizeof id, 1) != 0 || full_io(s, &ack, sizeof ack, 0) != 0) {
        NEXT(close)(s);
        return -1;
    }
    fdstate[fd].wake = s + 1;
    return s;
}

/* The model file's ready mask for `events` now; the wake-ups already read are dropped first. */
static short model_revents(int fd, short events)
{
    char drain[64];
    int w = wake_of(fd);
    struct vdrm_shim_poll p = { .events = (uint16_t) events };

    if (w >= 0)
        while (recv(w, drain, sizeof drain, MSG_DONTWAIT) > 0)
            ;
    if (ioctl(fd, VDRM_SHIM_POLL, &p) != 0)
        return POLLERR;
    return (short) p.revents;
}

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/*
 * poll() with emulated fds: their masks come from the model; the real poll() sleeps on their
 * wake sockets (and the other fds) until one may be ready, then asks again.
 */
static int poll_emulated(struct pollfd *fds, nfds_t n, int timeout, const int *emu)
{
    struct pollfd real[n];
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
        if (NEXT(poll)(real, n, wait) < 0)
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

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    int emu[n > 0 ? n : 1], any = 0;
    for (nfds_t i = 0; i < n; i++)
        any += emu[i] = fds[i].fd >= 0 && emulated_rdev(fds[i].fd) != 0;
    if (!any)
        return NEXT(poll)(fds, n, timeout);
    return poll_emulated(fds, n, timeout, emu);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *sigmask)
{
    int emu[n > 0 ? n : 1], any = 0;
    for (nfds_t i = 0; i < n; i++)
        any += emu[i] = fds[i].fd >= 0 && emulated_rdev(fds[i].fd) != 0;
    if (!any)
        return NEXT(ppoll)(fds, n, tmo, sigmask);
    /* the signal mask is not applied while emulated fds are polled */
    int timeout = tmo == NULL ? -1 : (int) (tmo->tv_sec * 1000 + (tmo->tv_nsec + 999999) / 1000000);
    return poll_emulated(fds, n, timeout, emu);
}
