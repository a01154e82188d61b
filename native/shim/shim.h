/*
 * vdrm's preload shim for `vdrm exec` (docs/real-programs.md): what its files share. It is
 * loaded before umockdev's preload (LD_PRELOAD order) and does what umockdev 0.17 does not for
 * an fd open on an emulated DRM node: fstat (stat.c), mmap (mmap.c), dup (dup.c), poll, select
 * and epoll (poll.c, select.c, epoll.c, with ready.c), and a channel of its own to vdrm for
 * the fd's calls (channel.c, calls.c), whose ioctl message carries the argument struct.
 *
 * Our own code, written for vdrm (MIT); each wrapper calls the next definition (NEXT).
 */
#ifndef VDRM_SHIM_H
#define VDRM_SHIM_H

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/types.h>

/* Helpers shared between the files, kept out of the programs' symbol namespace. */
#define SHIM_INTERNAL __attribute__((visibility("hidden")))

/* The next definition of a wrapped function (umockdev's preload, then the C library). */
#define NEXT(name) ((__typeof__(&name)) dlsym(RTLD_NEXT, #name))

/* vdrm's private requests on an emulated fd; layouts as src/exec's mappings.ts, shim_files.ts. */
struct vdrm_shim_mmap {
    uint64_t offset;   /* in: the fake offset; out: the mirror's id */
    uint64_t length;
    char path[240];    /* out: the mirror file */
};
struct vdrm_shim_munmap {
    uint64_t id;
    uint64_t length;
};
struct vdrm_shim_poll {
    uint32_t events;
    uint32_t revents;
};
#define VDRM_SHIM_MMAP _IOWR('v', 0x01, struct vdrm_shim_mmap)
#define VDRM_SHIM_MUNMAP _IOW('v', 0x02, struct vdrm_shim_munmap)
#define VDRM_SHIM_ID _IOR('v', 0x03, uint64_t)
#define VDRM_SHIM_POLL _IOWR('v', 0x04, struct vdrm_shim_poll)

/* emulated.c: the emulated device number of an fd open on an emulated node, or 0. */
SHIM_INTERNAL dev_t emulated_rdev(int fd);

/* channel.c: the shim's own sockets to vdrm, and what it keeps of each fd. */
#define FDS_MAX 4096
SHIM_INTERNAL int connect_vdrm(const char *name);
SHIM_INTERNAL int full_io(int s, void *buf, size_t n, int out);
SHIM_INTERNAL int chan_of(int fd);
SHIM_INTERNAL void set_chan(int fd, int s);
SHIM_INTERNAL void set_wake(int fd, int s);
SHIM_INTERNAL int stored_wake(int fd);
SHIM_INTERNAL long chan_call(int fd, uint64_t cmd, uint64_t a1, uint64_t a2);
SHIM_INTERNAL long chan_ioctl(int fd, unsigned long request, void *arg);
SHIM_INTERNAL int open_chan(int fd);
SHIM_INTERNAL int hello_vdrm(const char *name, const uint64_t hello[2], int *err);
SHIM_INTERNAL void forget(int fd);
SHIM_INTERNAL int file_id(int fd, uint64_t *id);

/* ready.c: the model file's ready mask, and the socket vdrm wakes when it may be ready. */
SHIM_INTERNAL int wake_of(int fd);
SHIM_INTERNAL short model_revents(int fd, short events);
/* Drops the wake-ups of `fd` already sent. */
SHIM_INTERNAL void drain_wake(int fd);

/* poll.c: poll() of a set some of whose fds are emulated (emu[i]); ppoll's mask when sleeping. */
struct pollfd;
SHIM_INTERNAL int poll_emulated(struct pollfd *fds, unsigned long n, int timeout, const int *emu,
                                const sigset_t *sigmask);
SHIM_INTERNAL long now_ms(void);
/* A timeout in ms from seconds and nanoseconds, rounded up (INT_MAX at most). */
SHIM_INTERNAL int timeout_ms(long sec, long nsec);

/* epoll.c: an fd's registrations are dropped when it is closed. */
SHIM_INTERNAL void epoll_forget(int fd);

#endif
