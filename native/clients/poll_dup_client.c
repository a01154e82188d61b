/*
 * A real libdrm + libudev program for vdrm's `vdrm exec` tests of poll() and dup() on a DRM
 * fd: it copies its card fd with dup() and fcntl(F_DUPFD_CLOEXEC), shows that the copies are
 * the same open file (a GEM handle made through one is known through the others, the file
 * outlives the close of the original), lights the display and flips it with an event, and
 * polls for the event (POLLIN when it is queued, on every copy), reads it through a copy, and
 * polls its card and its udev monitor together until the card is removed.
 * One "key value" line per fact, which the tests read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <libudev.h>
#include "kms_flip.h"

/* poll() of one fd: "NAME RET revents=0xM". */
static void poll_one(const char *name, int fd, int timeout)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll(&p, 1, timeout);
    printf("%s %d revents=0x%x\n", name, r, r < 0 ? 0 : p.revents);
}

/* Polls the card and the monitor together until the card's remove event. */
static void wait_remove(struct udev_monitor *mon, int card)
{
    struct pollfd p[2] = { { .fd = card, .events = POLLIN }, { .fd = udev_monitor_get_fd(mon), .events = POLLIN } };
    while (poll(p, 2, 10000) > 0) {
        if (p[0].revents)
            printf("card_ready revents=0x%x\n", p[0].revents);
        if (!(p[1].revents & POLLIN))
            continue;
        struct udev_device *d = udev_monitor_receive_device(mon);
        const char *node = d ? udev_device_get_devnode(d) : NULL;
        int done = node && strcmp(udev_device_get_action(d), "remove") == 0 && strcmp(node, "/dev/dri/card0") == 0;
        if (d)
            udev_device_unref(d);
        if (done) {
            printf("removed yes\n");
            return;
        }
    }
    printf("removed timeout\n");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct udev *udev = udev_new();
    struct udev_monitor *mon = udev_monitor_new_from_netlink(udev, "udev");
    udev_monitor_filter_add_match_subsystem_devtype(mon, "drm", "drm_minor");
    udev_monitor_enable_receiving(mon);

    int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
    printf("open %s\n", fd < 0 ? strerrorname_np(errno) : "ok");
    struct drm_mode_create_dumb bo = { .width = 64, .height = 64, .bpp = 32 };
    const char *created = err(drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &bo));
    printf("create_dumb %s handle=%u\n", created, bo.handle);

    int copy = dup(fd);
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    printf("dup %s\n", copy > fd ? "ok" : strerrorname_np(errno));
    printf("dupfd_cloexec %s cloexec=%d\n", high >= 10 ? "ok" : strerrorname_np(errno),
           high >= 0 && (fcntl(high, F_GETFD) & FD_CLOEXEC) != 0);
    struct stat st;
    if (fstat(copy, &st) == 0)
        printf("fstat_copy %u:%u\n", major(st.st_rdev), minor(st.st_rdev));
    struct drm_mode_map_dumb map = { .handle = bo.handle };
    printf("map_dumb_copy %s\n", err(drmIoctl(copy, DRM_IOCTL_MODE_MAP_DUMB, &map)));
    map.offset = 0;
    printf("map_dumb_high %s\n", err(drmIoctl(high, DRM_IOCTL_MODE_MAP_DUMB, &map)));
    printf("close_original %d\n", close(fd));
    drmVersionPtr v = drmGetVersion(copy);
    printf("version_copy %s\n", v ? v->name : strerrorname_np(errno));
    if (v)
        drmFreeVersion(v);

    poll_one("poll_idle", copy, 0);
    poll_one("poll_timeout", copy, 50);
    uint32_t crtc, fb;
    if (light_and_flip(copy, 0x1234, &crtc, &fb) != 0)
        return 4;
    poll_one("poll_flip", copy, 2000);
    poll_one("poll_high", high, 0);
    char buf[256];
    ssize_t n = read(high, buf, sizeof buf);
    struct drm_event_vblank *ev = (struct drm_event_vblank *) buf;
    if (n >= (ssize_t) sizeof *ev)
        printf("event type=%u user_data=0x%llx\n", ev->base.type, (unsigned long long) ev->user_data);
    else
        printf("event %s\n", n < 0 ? strerrorname_np(errno) : "short");
    poll_one("poll_read", copy, 0);

    wait_remove(mon, copy);
    poll_one("poll_unplugged", copy, 0);
    printf("close_copy %d\n", close(copy));
    printf("close_high %d\n", close(high));
    udev_monitor_unref(mon);
    udev_unref(udev);
    return 0;
}
