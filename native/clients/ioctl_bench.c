/*
 * The round trip of one ioctl through `vdrm exec`'s bridge, measured by a real program:
 * DRM_IOCTL_GET_CAP(DRM_CAP_DUMB_BUFFER) on the card, N times (default 2000, after 100 to warm
 * up); prints "ioctls N", "median_us X" and "p99_us Y". For src/bench and docs/benchmarks.md.
 * It sets no timer slack of its own: what it measures is what any program gets (vdrm's shim
 * sets it, native/shim/slack.c).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
    if (fd < 0 || n < 1)
        return 2;
    double *us = calloc(n, sizeof *us);
    for (int i = -100; i < n; i++) {
        struct timespec a, b;
        uint64_t value;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (drmGetCap(fd, DRM_CAP_DUMB_BUFFER, &value) != 0 || value != 1)
            return 3;
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (i >= 0)
            us[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
    }
    qsort(us, n, sizeof *us, cmp);
    printf("ioctls %d\nmedian_us %.1f\np99_us %.1f\n", n, us[n / 2], us[(int) (n * 0.99)]);
    close(fd);
    return 0;
}
