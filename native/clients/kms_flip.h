/*
 * What the project's KMS clients share: light the first connector with its first mode on a
 * dumb buffer and flip to it with an event carrying `data`. Prints one "key value" line per
 * step; the CRTC and framebuffer used are left in *crtc and *fb for later flips.
 */
#ifndef VDRM_KMS_FLIP_H
#define VDRM_KMS_FLIP_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

static const char *err(int r)
{
    return r == 0 ? "0" : strerrorname_np(errno);
}

static int light_and_flip(int fd, unsigned long data, uint32_t *crtc, uint32_t *fb)
{
    drmModeResPtr res = drmModeGetResources(fd);
    if (res == NULL || res->count_connectors < 1 || res->count_crtcs < 1)
        return -1;
    drmModeConnectorPtr conn = drmModeGetConnector(fd, res->connectors[0]);
    if (conn == NULL || conn->count_modes < 1)
        return -1;
    drmModeModeInfo mode = conn->modes[0];
    uint32_t connector = conn->connector_id;
    *crtc = res->crtcs[0];
    printf("mode %s\n", mode.name);
    struct drm_mode_create_dumb dumb = { .width = mode.hdisplay, .height = mode.vdisplay };
    dumb.bpp = 32;
    printf("create_dumb %s\n", err(drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb)));
    uint32_t handles[4] = { dumb.handle }, pitches[4] = { dumb.pitch }, offsets[4] = { 0 };
    int r = drmModeAddFB2(fd, mode.hdisplay, mode.vdisplay, DRM_FORMAT_XRGB8888,
                          handles, pitches, offsets, fb, 0);
    printf("addfb2 %s\n", err(r));
    printf("setcrtc %s\n", err(drmModeSetCrtc(fd, *crtc, *fb, 0, 0, &connector, 1, &mode)));
    r = drmModePageFlip(fd, *crtc, *fb, DRM_MODE_PAGE_FLIP_EVENT, (void *) data);
    printf("page_flip %s\n", err(r));
    drmModeFreeConnector(conn);
    drmModeFreeResources(res);
    return 0;
}

#endif
