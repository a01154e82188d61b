/*
 * vdrm's preload shim for `vdrm exec`, loaded before umockdev's preload (LD_PRELOAD order).
 * umockdev 0.17 emulates a device node as a pty: stat() on its path reports the emulated
 * char device, but fstat() on an open fd reports the pty (136:N), so libdrm's
 * drmGetDevice2(fd) cannot find the device. This shim answers fstat() and its variants on such
 * an fd with the node's own major:minor, found as umockdev records it: the pty's name maps to
 * "major:minor" through the link $UMOCKDEV_DIR/dev/.ptymap/<pty path with / as _>.
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
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

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
