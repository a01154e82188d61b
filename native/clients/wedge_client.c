/*
 * A real libdrm + libudev program for vdrm's `vdrm exec` tests: it finds the GPU with
 * drmGetDevices2(), opens its card node and asks its version, then waits (at most 10 s) in a
 * udev monitor for a `change` uevent of the card with a WEDGED property, and prints every
 * property of that event as libudev gives it. It tries its ioctls on the wedged device, then
 * waits for the card node of the device the recovery makes, finds it with drmGetDevices2(),
 * opens it and asks its version, and tries the old file again.
 * One "key value" line per fact, which the tests read.
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

static const char *version_of(int fd)
{
    static char name[64];
    drmVersionPtr v = drmGetVersion(fd);
    if (v == NULL)
        return strerrorname_np(errno);
    snprintf(name, sizeof name, "%s", v->name);
    drmFreeVersion(v);
    return name;
}

static int is_card(const char *node)
{
    return node != NULL && strncmp(node, "/dev/dri/card", 13) == 0;
}

/* Prints a wedged event's properties, one "property KEY=VALUE" line each, in libudev's order. */
static void print_properties(struct udev_device *d)
{
    struct udev_list_entry *e;
    udev_list_entry_foreach(e, udev_device_get_properties_list_entry(d))
        printf("property %s=%s\n", udev_list_entry_get_name(e), udev_list_entry_get_value(e));
}

/*
 * Prints drm uevents ("uevent ACTION NODE") until a `change` with WEDGED (wedged != 0) or the
 * `add` of a card node other than `old`; 0 when it came. The card node found goes to `found`.
 */
static int wait_for(struct udev_monitor *mon, int wedged, const char *old, char *found, size_t len)
{
    struct pollfd pfd = { .fd = udev_monitor_get_fd(mon), .events = POLLIN };
    while (poll(&pfd, 1, 10000) > 0) {
        struct udev_device *d = udev_monitor_receive_device(mon);
        if (d == NULL)
            continue;
        const char *action = udev_device_get_action(d);
        const char *node = udev_device_get_devnode(d);
        const char *how = udev_device_get_property_value(d, "WEDGED");
        printf("uevent %s %s%s%s\n", action, node ? node : "-", how ? " WEDGED=" : "", how ? how : "");
        int done = wedged ? strcmp(action, "change") == 0 && how != NULL
                          : strcmp(action, "add") == 0 && is_card(node) && strcmp(node, old) != 0;
        if (done) {
            if (wedged)
                print_properties(d);
            snprintf(found, len, "%s", node ? node : "");
        }
        udev_device_unref(d);
        if (done)
            return 0;
    }
    return -1;
}

/* The primary node of the first device drmGetDevices2() lists, into `card`; the count. */
static int find_card(char *card, size_t len)
{
    drmDevicePtr devs[8];
    int n = drmGetDevices2(0, devs, 8);
    if (n > 0 && (devs[0]->available_nodes & (1 << DRM_NODE_PRIMARY)))
        snprintf(card, len, "%s", devs[0]->nodes[DRM_NODE_PRIMARY]);
    if (n > 0)
        drmFreeDevices(devs, n);
    return n;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct udev *udev = udev_new();
    struct udev_monitor *mon = udev_monitor_new_from_netlink(udev, "udev");
    udev_monitor_filter_add_match_subsystem_devtype(mon, "drm", NULL);
    udev_monitor_enable_receiving(mon);

    char card[64] = "", node[64] = "", fresh[64] = "";
    printf("devices %d\n", find_card(card, sizeof card));
    int old = open(card, O_RDWR | O_CLOEXEC);
    printf("open %s %s\n", card, old < 0 ? strerrorname_np(errno) : "ok");
    if (old < 0)
        return 3;
    printf("version %s\n", version_of(old));

    printf("wedged %s\n", wait_for(mon, 1, card, node, sizeof node) == 0 ? node : "timeout");
    printf("version_wedged %s\n", version_of(old));
    uint64_t cap;
    int r = drmGetCap(old, DRM_CAP_DUMB_BUFFER, &cap);
    printf("get_cap_wedged %s\n", r == 0 ? "0" : strerrorname_np(errno));
    struct drm_mode_create_dumb create = { .width = 64, .height = 64, .bpp = 32 };
    r = drmIoctl(old, DRM_IOCTL_MODE_CREATE_DUMB, &create);
    printf("create_dumb_wedged %s\n", r == 0 ? "0" : strerrorname_np(errno));

    printf("added %s\n", wait_for(mon, 0, card, node, sizeof node) == 0 ? node : "timeout");
    printf("devices %d\n", find_card(fresh, sizeof fresh));
    printf("card %s\n", fresh);
    int fd = open(fresh, O_RDWR | O_CLOEXEC);
    printf("open_new %s\n", fd < 0 ? strerrorname_np(errno) : "ok");
    printf("version_new %s\n", fd < 0 ? "-" : version_of(fd));
    printf("version_old %s\n", version_of(old));
    printf("close_old %d\n", close(old));
    printf("close_new %d\n", close(fd));
    udev_monitor_unref(mon);
    udev_unref(udev);
    return 0;
}
