/*
 * A real libdrm + libudev program for vdrm's `vdrm exec` tests: it holds the card open while
 * the device is removed and rescanned, follows the drm uevents in a udev monitor until the new
 * card node appears, then finds the new device with drmGetDevices2(), opens it and asks its
 * version, and tries the old file again. One "key value" line per fact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libudev.h>
#include <xf86drm.h>

/* Prints drm uevents until an `action` of a node named `devnode`; 0 when it came. */
static int wait_for(struct udev_monitor *mon, const char *action, const char *devnode)
{
    struct pollfd pfd = { .fd = udev_monitor_get_fd(mon), .events = POLLIN };
    while (poll(&pfd, 1, 10000) > 0) {
        struct udev_device *d = udev_monitor_receive_device(mon);
        if (d == NULL)
            continue;
        const char *a = udev_device_get_action(d);
        const char *node = udev_device_get_devnode(d);
        if (node != NULL)
            printf("uevent %s %s\n", a, node);
        int done = node != NULL && strcmp(a, action) == 0 && strcmp(node, devnode) == 0;
        udev_device_unref(d);
        if (done)
            return 0;
    }
    return -1;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct udev *udev = udev_new();
    struct udev_monitor *mon = udev_monitor_new_from_netlink(udev, "udev");
    udev_monitor_filter_add_match_subsystem_devtype(mon, "drm", "drm_minor");
    udev_monitor_enable_receiving(mon);

    int old = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
    printf("open_old %s\n", old < 0 ? strerrorname_np(errno) : "ok");
    printf("removed %s\n", wait_for(mon, "remove", "/dev/dri/card0") == 0 ? "yes" : "timeout");
    printf("added %s\n", wait_for(mon, "add", "/dev/dri/card1") == 0 ? "yes" : "timeout");

    drmDevicePtr devs[8];
    int n = drmGetDevices2(0, devs, 8);
    printf("devices %d\n", n);
    for (int i = 0; i < n; i++)
        for (int t = 0; t < DRM_NODE_MAX; t++)
            if (devs[i]->available_nodes & (1 << t))
                printf("node %s\n", devs[i]->nodes[t]);
    if (n > 0)
        drmFreeDevices(devs, n);

    int fd = open("/dev/dri/card1", O_RDWR | O_CLOEXEC);
    printf("open_new %s\n", fd < 0 ? strerrorname_np(errno) : "ok");
    drmVersionPtr v = fd < 0 ? NULL : drmGetVersion(fd);
    printf("version_new %s\n", v ? v->name : strerrorname_np(errno));
    if (v)
        drmFreeVersion(v);
    v = drmGetVersion(old);
    printf("version_old %s\n", v ? v->name : strerrorname_np(errno));
    if (v)
        drmFreeVersion(v);
    printf("close_old %d\n", close(old));
    printf("close_new %d\n", close(fd));
    udev_monitor_unref(mon);
    udev_unref(udev);
    return 0;
}
