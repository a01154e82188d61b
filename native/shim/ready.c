/*
 * The ready mask of an emulated fd's model file, and the socket vdrm wakes when that file may
 * have become ready, for poll, select and epoll (src/exec/shim_files.ts). The mask is asked
 * with VDRM_SHIM_POLL (the lane polls the model's file without waiting, and watches it from
 * then on as epoll does); the wake socket is connected to `vdrm-wake` with the file's id, and
 * vdrm writes a byte on it when the file woke its wait queue and is ready.
 */
#include "shim.h"
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;

int wake_of(int fd)
{
    uint64_t id = 0, ack;
    int s;

    if (fd < 0 || fd >= FDS_MAX)
        return -1;
    pthread_mutex_lock(&wake_lock);
    s = stored_wake(fd);
    if (s < 0 && file_id(fd, &id) == 0 && (s = connect_vdrm("vdrm-wake")) >= 0) {
        if (full_io(s, &id, sizeof id, 1) != 0 || full_io(s, &ack, sizeof ack, 0) != 0) {
            NEXT(close)(s);
            s = -1;
        } else {
            set_wake(fd, s);
        }
    }
    pthread_mutex_unlock(&wake_lock);
    return s;
}

void drain_wake(int fd)
{
    char drain[64];
    int w = stored_wake(fd);

    if (w >= 0)
        while (recv(w, drain, sizeof drain, MSG_DONTWAIT) > 0)
            ;
}

/* The model file's mask for `events` now; the wake-ups already read are dropped first. */
short model_revents(int fd, short events)
{
    struct vdrm_shim_poll p = { .events = (uint16_t) events };

    if (wake_of(fd) >= 0)
        drain_wake(fd);
    if (ioctl(fd, VDRM_SHIM_POLL, &p) != 0)
        return POLLERR;
    return (short) p.revents;
}
