/*
 * A real libdrm + libudev program for vdrm's `vdrm exec` tests: it finds the GPU with
 * drmGetDevices2(), opens its card node, asks DRM_IOCTL_VERSION, makes a dumb buffer, then
 * waits (at most 10 s) in a udev monitor for the remove event of its card node, and tries its
 * ioctls again. It prints one line per fact, "key value", which the tests read.
 * Usage: unplug_client [--no-wait]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <libudev.h>
#include <xf86drm.h>

static void print_errno(const char *what, int ret)
{
    if (ret == 0)
        printf("%s 0\n", what);
    else
        printf("%s %s\n", what, strerrorname_np(errno));
}

/* Waits for the remove event of `devname` (/dev/dri/card0); prints each drm event's keys. */
static int wait_remove(struct udev_monitor *mon, const char *devname)
{
    struct pollfd pfd = { .fd = udev_monitor_get_fd(mon), .events = POLLIN };
    while (poll(&pfd, 1, 10000) > 0) {
        struct udev_device *d = udev_monitor_receive_device(mon);
        if (d == NULL)
            continue;
        const char *action = udev_device_get_action(d);
        const char *node = udev_device_get_devnode(d);
        printf("uevent %s %s seqnum=%llu devtype=%s\n", action, node ? node : "-",
               (unsigned long long) udev_device_get_seqnum(d),
               udev_device_get_devtype(d) ? udev_device_get_devtype(d) : "-");
        int done = node && strcmp(action, "remove") == 0 && strcmp(node, devname) == 0;
        udev_device_unref(d);
        if (done)
            return 0;
    }
    return -1;
}

int main(int argc, char **argv)
{
    int wait = !(argc > 1 && strcmp(argv[1], "--no-wait") == 0);
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct udev *udev = udev_new();
    struct udev_monitor *mon = udev_monitor_new_from_netlink(udev, "udev");
    udev_monitor_filter_add_match_subsystem_devtype(mon, "drm", NULL);
    udev_monitor_enable_receiving(mon);

    drmDevicePtr devs[8];
    int n = drmGetDevices2(0, devs, 8);
    printf("devices %d\n", n);
    if (n < 1)
        return 2;
    if (devs[0]->bustype == DRM_BUS_PCI)
        printf("pci %04x:%04x\n", devs[0]->deviceinfo.pci->vendor_id, devs[0]->deviceinfo.pci->device_id);
    char card[64];
    snprintf(card, sizeof card, "%s", devs[0]->nodes[DRM_NODE_PRIMARY]);
    drmFreeDevices(devs, n);
    printf("card %s\n", card);

    int fd = open(card, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        printf("open %s\n", strerrorname_np(errno));
        return 3;
    }
    struct stat st;
    if (fstat(fd, &st) == 0)
        printf("fstat %u:%u\n", major(st.st_rdev), minor(st.st_rdev));
    drmVersionPtr v = drmGetVersion(fd);
    if (v == NULL) {
        printf("version %s\n", strerrorname_np(errno));
        return 4;
    }
    printf("version %s %d.%d.%d\n", v->name, v->version_major, v->version_minor, v->version_patchlevel);
    drmFreeVersion(v);

    struct drm_mode_create_dumb create = { .width = 64, .height = 64, .bpp = 32 };
    print_errno("create_dumb", drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create));
    printf("dumb handle=%u pitch=%u size=%llu\n", create.handle, create.pitch, (unsigned long long) create.size);
    struct drm_mode_map_dumb map = { .handle = create.handle };
    print_errno("map_dumb", drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map));
    unsigned char *fb = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, map.offset);
    printf("mmap %s\n", fb == MAP_FAILED ? strerrorname_np(errno) : "ok");
    if (fb == MAP_FAILED)
        return 5;
    memset(fb, 0xab, create.size);
    printf("mapped %02x %02x\n", fb[0], fb[create.size - 1]);

    if (wait) {
        printf("waiting %s\n", wait_remove(mon, card) == 0 ? "removed" : "timeout");
        v = drmGetVersion(fd);
        printf("version_after %s\n", v ? "ok" : strerrorname_np(errno));
        if (v)
            drmFreeVersion(v);
        print_errno("map_dumb_after", drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map));
        printf("mapped_after %02x %02x\n", fb[0], fb[create.size - 1]);
        fb[0] = 0x55;
        printf("written_after %02x\n", fb[0]);
        void *again = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, map.offset);
        printf("mmap_after %s\n", again == MAP_FAILED ? strerrorname_np(errno) : "ok");
    }
    print_errno("munmap", munmap(fb, create.size));
    print_errno("close", close(fd));
    udev_monitor_unref(mon);
    udev_unref(udev);
    return 0;
}
