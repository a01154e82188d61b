/**
 * A model of Linux's virtio-gpu driver (drivers/gpu/drm/virtio) as 6.12 runs it on QEMU's
 * virtio-gpu-pci (1af4:1050): DRM driver "virtio_gpu" 0.1.0, a card and a render node
 * (renderD128), one Virtual connector, shmem-backed GEM objects whose pages survive an
 * unplug (R52), 32 bpp dumb buffers, and a render-capable set of private ioctls
 * (virtio_gpu_ioctl.ts). It binds the virtio device ("virtio<N>") that virtio-pci registers
 * for the PCI function; the drm_device's parent is the PCI function itself, as in Linux, so
 * its nodes are under /sys/bus/pci/devices/<bdf>/drm. The container is drm_dev_alloc()'s (no
 * devres): remove() drops its reference after drm_dev_unplug().
 *
 * What a probe and a remove show, in order: `add` of virtio<N>, the minors' `add` (render,
 * then card, R2) and the connector's, `bind` of virtio<N> (DRIVER=virtio_gpu), `bind` of the
 * PCI function (DRIVER=virtio-pci); at remove the connector, card and render `remove` (R5),
 * `unbind` and `remove` of virtio<N>, then the PCI function's. The fbdev emulation is not
 * modelled (as for bochs).
 *
 * @see drivers/gpu/drm/virtio/virtgpu_drv.c: virtio_gpu_probe(), virtio_gpu_remove(),
 *      virtio_gpu_pci_quirk()
 */
import {
  DRIVER_ATOMIC,
  DRIVER_CURSOR_HOTSPOT,
  DRIVER_GEM,
  DRIVER_MODESET,
  DRIVER_RENDER,
  DRIVER_SYNCOBJ,
  DRIVER_SYNCOBJ_TIMELINE,
  drmDevAlloc,
  DrmDevice,
  drmDevPut,
  drmDevRegister,
  drmAtomicHelperShutdown,
  drmDevUnplug,
  drmDriverIoctlTable,
  drmGemFops,
  type DrmDriver,
} from "../drm/mod.js";
import { assert, step, type Task } from "../kernel/mod.js";
import { toPciDev } from "../pci/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import {
  VIRTIO_DEV_ANY_ID,
  VIRTIO_ID_GPU,
  type VirtioDevice,
  type VirtioDriver,
} from "./virtio.js";
import { VIRTIO_GPU_IOCTLS } from "./virtio_gpu_ioctl.js";
import {
  vgdevOf,
  virtioGpuDeinit,
  virtioGpuInit,
  virtioGpuQueueCtrlBuffer,
} from "./virtio_gpu_kms.js";
import { virtioGpuModeDumbCreate } from "./virtio_gpu_object.js";
import { virtioPciDriver } from "./virtio_pci.js";

/** PCI_CLASS_DISPLAY_VGA, the class of virtio-vga (virtio-gpu-pci is "display, other"). */
const PCI_CLASS_DISPLAY_VGA = 0x0300;

export const virtioGpuDrmDriver: DrmDriver = {
  name: "virtio_gpu",
  desc: "virtio GPU",
  date: "0",
  major: 0,
  minor: 1,
  patchlevel: 0,
  features:
    DRIVER_MODESET | DRIVER_GEM | DRIVER_RENDER | DRIVER_ATOMIC | DRIVER_SYNCOBJ |
    DRIVER_SYNCOBJ_TIMELINE | DRIVER_CURSOR_HOTSPOT,
  fops: drmGemFops,
  dumbCreate: virtioGpuModeDumbCreate,
  ioctls: drmDriverIoctlTable(VIRTIO_GPU_IOCTLS),
};

/** The virtio driver. @see virtio_gpu_driver */
export const virtioGpuDriver: VirtioDriver = {
  name: "virtio_gpu",
  busName: "virtio",
  idTable: [{ device: VIRTIO_ID_GPU, vendor: VIRTIO_DEV_ANY_ID }],
  probe: virtioGpuProbe,
  remove: virtioGpuRemove,
};

/** virtio-pci, loaded with virtio_gpu: what a world's `virtio-gpu` device binds. */
export const virtioGpuPciDriver = virtioPciDriver([virtioGpuDriver]);

/**
 * The drm_device under the PCI function, the device's configuration and display, then
 * drm_dev_register(); a failure puts the device back. @see virtio_gpu_probe()
 */
function* virtioGpuProbe(vdev: VirtioDevice): Task<0 | ErrnoName> {
  yield step("virtio_gpu_probe", [vdev]);
  assert(vdev.parent !== null, `Cannot probe ${vdev.name}: it has no transport device`);
  const pdev = toPciDev(vdev.parent);
  const dev = yield* drmDevAlloc(virtioGpuDrmDriver, pdev);
  if (typeof dev === "string") return dev;
  yield step("virtio_gpu_probe", [], [vdev]);
  vdev.drvdata = dev;
  // virtio_gpu_pci_quirk(): a VGA-class function would also take over the firmware display.
  const vga = pdev.hardware.classCode >> 8 === PCI_CLASS_DISPLAY_VGA;
  dev.sim.printk(6, `[drm] pci: ${vga ? "virtio-vga" : "virtio-gpu-pci"} detected at ${pdev.name}`);
  let err = yield* virtioGpuInit(vdev, dev);
  if (err === 0) {
    err = yield* drmDevRegister(dev);
    if (err !== 0) yield* virtioGpuDeinit(vgdevOf(dev));
  }
  if (err !== 0) yield* drmDevPut(dev);
  return err;
}

/**
 * drm_dev_unplug(), the display shut down (the scanout command is dropped: the device is
 * gone), the device reset, then the probe's reference dropped: open files, mappings and
 * buffers keep the drm_device. @see virtio_gpu_remove()
 */
function* virtioGpuRemove(vdev: VirtioDevice): Task<void> {
  yield step("virtio_gpu_remove", [vdev]);
  const dev = vdev.drvdata;
  const made = dev instanceof DrmDevice;
  if (!made) assert(false, `Cannot remove ${vdev.name}: its drvdata is not probe's drm_device`);
  yield* drmDevUnplug(dev);
  // Every CRTC off: the disable's set-scanout command is dropped (the device is gone), the
  // events still to come are sent.
  yield* drmAtomicHelperShutdown(dev);
  yield step("virtio_gpu_remove", [dev]);
  const vgdev = vgdevOf(dev);
  yield* virtioGpuDeinit(vgdev);
  yield* drmDevPut(dev);
}
