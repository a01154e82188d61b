/*
 * fstat() and its variants on an emulated fd. umockdev 0.17's stat() on the node's path
 * reports the emulated char device, but fstat() on an open fd reports the pty (136:N), so
 * libdrm's drmGetDevice2(fd) cannot find the device: the shim answers with the node's own
 * major:minor (emulated.c).
 */
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

static void fix_stat(int fd, int ret, struct stat *st)
{
    dev_t rdev;
    int saved = errno;

    if (ret == 0 && S_ISCHR(st->st_mode) && (rdev = emulated_rdev(fd)) != 0)
        st->st_rdev = rdev;
    errno = saved;
}

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
