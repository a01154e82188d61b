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
 * Our own code, written for vdrm (MIT); it calls the next definition of each function.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
