/*
 * mmap() of an emulated fd (umockdev 0.17 has none: the pty cannot be mapped). The shim asks
 * vdrm with a private ioctl on the fd (VDRM_SHIM_MMAP): vdrm maps the offset in the model and
 * answers with a file that mirrors the model's mapping (src/exec/mappings.ts), which the shim
 * maps in the caller's place; or fails with the model's errno (ENODEV after an unplug).
 * munmap() of such a mapping tells vdrm (VDRM_SHIM_MUNMAP) while the fd is open; otherwise
 * the model's mapping goes at exit.
 */
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIRRORS_MAX 256
static struct { void *addr; size_t length; int fd; uint64_t id; } mirrors[MIRRORS_MAX];
static pthread_mutex_t mirrors_lock = PTHREAD_MUTEX_INITIALIZER;

static void remember(void *p, size_t length, int fd, uint64_t id)
{
    pthread_mutex_lock(&mirrors_lock);
    for (int i = 0; i < MIRRORS_MAX; i++) {
        if (mirrors[i].addr == NULL) {
            mirrors[i].addr = p;
            mirrors[i].length = length;
            mirrors[i].fd = fd;
            mirrors[i].id = id;
            break;
        }
    }
    pthread_mutex_unlock(&mirrors_lock);
}

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
    if (p != MAP_FAILED)
        remember(p, length, fd, req.offset);
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
