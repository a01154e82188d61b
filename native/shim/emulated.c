/*
 * Which fds are open on an emulated node. umockdev 0.17 emulates a device node as a pty and
 * records, for each, the link $UMOCKDEV_DIR/dev/.ptymap/<pty path with / as _> -> "major:minor";
 * an fd whose /proc/self/fd link is such a pty is an emulated node, with that device number.
 */
#include "shim.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

dev_t emulated_rdev(int fd)
{
    const char *root = getenv("UMOCKDEV_DIR");
    char proc[64], target[PATH_MAX], map[2 * PATH_MAX], majmin[64];
    unsigned major, minor;
    ssize_t n;

    if (root == NULL || fd < 0)
        return 0;
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    n = readlink(proc, target, sizeof target - 1);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    if (strncmp(target, "/dev/pts/", 9) != 0)
        return 0;
    for (char *c = target; *c; c++)
        if (*c == '/')
            *c = '_';
    snprintf(map, sizeof map, "%s/dev/.ptymap/%s", root, target);
    n = readlink(map, majmin, sizeof majmin - 1);
    if (n <= 0)
        return 0;
    majmin[n] = '\0';
    if (sscanf(majmin, "%u:%u", &major, &minor) != 2)
        return 0;
    return makedev(major, minor);
}
