/*
 * The uevent latency of `vdrm exec`'s bridge, the receiving end: a libudev monitor (every
 * subsystem) takes N uevents (default 180) and prints, for each, "uevent SEQNUM T" with T
 * the CLOCK_MONOTONIC time it was received, in ns; it gives up after 10 s without one.
 * src/bench/exec_bridge.ts compares T with the time the model sent the event (the same clock).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <libudev.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 180;
    struct udev *udev = udev_new();
    struct udev_monitor *mon = udev_monitor_new_from_netlink(udev, "udev");
    udev_monitor_enable_receiving(mon);
    struct pollfd pfd = { .fd = udev_monitor_get_fd(mon), .events = POLLIN };
    int got = 0;
    while (got < n && poll(&pfd, 1, 10000) > 0) {
        struct udev_device *d = udev_monitor_receive_device(mon);
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (d == NULL)
            continue;
        printf("uevent %llu %lld\n", (unsigned long long) udev_device_get_seqnum(d),
               (long long) t.tv_sec * 1000000000LL + t.tv_nsec);
        udev_device_unref(d);
        got++;
    }
    udev_monitor_unref(mon);
    udev_unref(udev);
    return got == n ? 0 : 1;
}
