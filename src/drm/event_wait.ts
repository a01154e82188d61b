/**
 * Who can still wake a reader of a DRM file: the end-of-run check's question about a
 * drm_file's event_wait (WaitQueue.neverWoken, src/kernel/never_woken.ts).
 *
 * Only drm_send_event() wakes the queue, for an event of a flip or commit the file asked for:
 * one armed on a CRTC for its next vblank (or its vblank off, R65), or one a commit in flight
 * will arm. drm_dev_unplug() wakes nobody, and drm_read() and drm_poll() do not look at the
 * unplug: unlike a disconnected input or USB device (evdev_hangup(), usb_disconnect()), a DRM
 * file is never hung up. So once the device is unplugged, with no event queued or owed to the
 * file, and no ioctl able to ask for one (mainline's gate answers ENODEV to every ioctl, R41),
 * a reader sleeps until a signal ends it. When the file consumed events before (a compositor
 * whose flips completed, then were refused), the unplug is what ended its stream: the kernel's
 * hang, reported with the reader's call. A file that never had an event waits for nothing the
 * live device would have sent either: the program's own `blocked`, as is a reader under
 * uapi-doc, where a KMS ioctl on the card still fakes a flip and sends its event (D3, R42).
 *
 * @see drm_read(), drm_poll(), drm_send_event_helper() in drivers/gpu/drm/drm_file.c
 */
import type { DrmDevice } from "./device.js";
import { DRIVER_MODESET, drmCoreCheckFeature } from "./drm_driver.js";
import type { DrmFile } from "./file.js";
import { kmsFakesAfterUnplug } from "./kms_unplug.js";

/** Whether a flip or commit in flight on a CRTC of `dev` still owes `file` an event. */
function eventOwed(dev: DrmDevice, file: DrmFile): boolean {
  const mc = dev.modeConfig;
  if (mc === null) return false;
  return mc.crtcs.some((crtc) =>
    crtc.vblank.armed.some((a) => a.event?.file === file) ||
    (crtc.commit !== null && !crtc.commit.flipDone && crtc.commit.events.some((e) => e.file === file)));
}

/** Whether an ioctl on `file` can still ask for an event: a faked flip after unplug (uapi-doc). */
function ioctlMaySend(dev: DrmDevice, file: DrmFile): boolean {
  return file.isPrimaryClient && drmCoreCheckFeature(dev, DRIVER_MODESET) && kmsFakesAfterUnplug(dev);
}

/**
 * Why nothing can ever wake a reader of `file` (see the file comment), or null while
 * something may. Called as an observer, outside any step.
 */
export function drmEventsNeverCome(file: DrmFile): string | null {
  const dev = file.dev;
  if (!dev.unplugged || !file.hadEvents || file.events.length > 0) return null;
  if (eventOwed(dev, file) || ioctlMaySend(dev, file)) return null;
  return `${file.minor.name} is unplugged: no event is queued or owed to the file, no ioctl can ` +
    "ask for one (ENODEV), and the file is not hung up";
}
