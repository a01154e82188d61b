/**
 * virtio-gpu's device state (struct virtio_gpu_device, the drm_device's dev_private) and its
 * init and deinit: the feature bits the device and the driver share, the configuration the
 * device reports (scanouts, capability sets), the kernel log lines Linux 6.12 prints for
 * them, and one display pipe per scanout.
 *
 * The host side is not simulated beyond what the guest sees: a command the driver queues is
 * answered at once, or, once the device is unplugged, not sent at all (the driver's own
 * drm_dev_enter() check). The model's device offers EDID and nothing else of the optional
 * features (no virgl 3D, no blob resources, no context init), as QEMU's virtio-gpu-pci does
 * by default.
 *
 * @see drivers/gpu/drm/virtio/virtgpu_kms.c: virtio_gpu_init(), virtio_gpu_deinit();
 *      virtgpu_vq.c: virtio_gpu_queue_ctrl_buffer()
 */
import { perKernel, type Kernel } from "../base/mod.js";
import { drmCore, drmDevEnter, drmDevExit, drmmKzalloc, type DrmDevice, type KmsPipeFuncs } from "../drm/mod.js";
import { assert, KObject, step, type Allocation, type Task } from "../kernel/mod.js";
import type { ErrnoName } from "../uapi/mod.js";
import { displayPipeInit } from "./display_pipe.js";
import type { VirtioDevice } from "./virtio.js";

/** Feature bits. @see include/uapi/linux/virtio_gpu.h */
export const VIRTIO_GPU_F_VIRGL = 0;
export const VIRTIO_GPU_F_EDID = 1;
export const VIRTIO_GPU_F_RESOURCE_UUID = 2;
export const VIRTIO_GPU_F_RESOURCE_BLOB = 3;
export const VIRTIO_GPU_F_CONTEXT_INIT = 4;

/** What the driver can use (its feature table); the device's bits are masked with it. */
const DRIVER_FEATURES = [
  VIRTIO_GPU_F_VIRGL,
  VIRTIO_GPU_F_EDID,
  VIRTIO_GPU_F_RESOURCE_UUID,
  VIRTIO_GPU_F_RESOURCE_BLOB,
  VIRTIO_GPU_F_CONTEXT_INIT,
].reduce((mask, bit) => mask | (1 << bit), 0);

/** Offsets in struct virtio_gpu_config. */
export const VIRTIO_GPU_CONFIG_NUM_SCANOUTS = 0x08;
export const VIRTIO_GPU_CONFIG_NUM_CAPSETS = 0x0c;
const VIRTIO_GPU_MAX_SCANOUTS = 16;

/** struct virtio_gpu_device: what the driver learnt from the device at init. */
export class VirtioGpuDevice extends KObject {
  static readonly fixedFields = ["dev", "vdev", "features", "numScanouts", "numCapsets"];
  constructor(
    mem: Allocation,
    readonly dev: DrmDevice,
    readonly vdev: VirtioDevice,
    /** The negotiated feature bits. */
    readonly features: number,
    readonly numScanouts: number,
    readonly numCapsets: number,
  ) {
    super(dev.sim, mem);
  }

  has(bit: number): boolean {
    return (this.features & (1 << bit)) !== 0;
  }
}

/** The drm_device's virtio_gpu_device (dev->dev_private). */
export function vgdevOf(dev: DrmDevice): VirtioGpuDevice {
  const vgdev = dev.driverData;
  const ok = vgdev instanceof VirtioGpuDevice;
  if (!ok) assert(false, `Cannot use ${dev.label} as a virtio-gpu device: no virtio_gpu_device`);
  return vgdev;
}

function sign(on: boolean): string {
  return on ? "+" : "-";
}

/**
 * Reads the device's features and configuration, makes the virtio_gpu_device (drmm memory:
 * freed at the final put) and the display pipes, and logs what it found. ENODEV for a
 * device that does not answer (its registers read all ones).
 * @see virtio_gpu_init()
 */
export function* virtioGpuInit(vdev: VirtioDevice, dev: DrmDevice): Task<0 | ErrnoName> {
  const offered = yield* vdev.config.getFeatures(vdev);
  const scanouts = yield* vdev.config.read32(vdev, VIRTIO_GPU_CONFIG_NUM_SCANOUTS);
  const capsets = yield* vdev.config.read32(vdev, VIRTIO_GPU_CONFIG_NUM_CAPSETS);
  if (offered === 0xffffffff || scanouts === 0xffffffff) return "ENODEV";
  const offersVirgl = (offered & (1 << VIRTIO_GPU_F_VIRGL)) !== 0;
  assert(!offersVirgl, `Cannot init ${vdev.name}: the model does not simulate virgl 3D`);
  yield step("virtio_gpu_init", [], [dev, drmCore(dev.kernel)]);
  const buf = drmmKzalloc(dev, 256, "virtio_gpu_device");
  if (buf === null) return "ENOMEM";
  const numScanouts = Math.min(scanouts, VIRTIO_GPU_MAX_SCANOUTS);
  const features = offered & DRIVER_FEATURES;
  const vgdev = new VirtioGpuDevice(buf.mem, dev, vdev, features, numScanouts, capsets);
  dev.driverData = vgdev;
  const sim = dev.sim;
  const blob = vgdev.has(VIRTIO_GPU_F_RESOURCE_BLOB);
  const virgl = sign(vgdev.has(VIRTIO_GPU_F_VIRGL));
  const edid = sign(vgdev.has(VIRTIO_GPU_F_EDID));
  sim.printk(6, `[drm] features: ${virgl}virgl ${edid}edid ${sign(blob)}resource_blob -host_visible`);
  sim.printk(6, `[drm] features: ${sign(vgdev.has(VIRTIO_GPU_F_CONTEXT_INIT))}context_init`);
  sim.printk(6, `[drm] number of scanouts: ${scanouts}`);
  sim.printk(6, `[drm] number of cap sets: ${capsets}`);
  // virtio_gpu_modeset_init(): one pipe (connector, plane, CRTC, encoder) for the scanout.
  return displayPipeInit(dev, "Virtual", VIRTIO_GPU_PIPE_FUNCS);
}

/**
 * One command to the host for a commit's step `fn` (dropped once unplugged, as the queue
 * drops it). @see virtio_gpu_cmd_set_scanout(), virtio_gpu_cmd_resource_flush()
 */
function* virtioGpuCommand(dev: DrmDevice, fn: string): Task<void> {
  yield step(fn, [dev], [dev.unplugSrcu]);
  virtioGpuQueueCtrlBuffer(vgdevOf(dev));
}

/**
 * The display's hardware work: commands to the host. The device has no vblank interrupt, so
 * a commit's event goes out when the commit is done (drm_atomic_helper_fake_vblank()).
 * @see virtio_gpu_crtc_helper_funcs, virtio_gpu_primary_helper_funcs in virtgpu_display.c
 */
const VIRTIO_GPU_PIPE_FUNCS: KmsPipeFuncs = {
  vblank: false,
  enable: (dev) => virtioGpuCommand(dev, "virtio_gpu_crtc_atomic_enable"),
  disable: (dev) => virtioGpuCommand(dev, "virtio_gpu_crtc_atomic_disable"),
  update: (dev) => virtioGpuCommand(dev, "virtio_gpu_primary_plane_update"),
};

/** The device stops using its queues. @see virtio_gpu_deinit() */
export function* virtioGpuDeinit(vgdev: VirtioGpuDevice): Task<void> {
  yield step("virtio_gpu_deinit", [vgdev]);
  yield* vgdev.vdev.config.reset(vgdev.vdev);
}

/**
 * Queues a command for the host, inside drm_dev_enter(): false when the device is unplugged
 * (the command is dropped, as Linux's queue does). The caller's step declares the device and
 * drm_unplug_srcu. @see virtio_gpu_queue_ctrl_buffer()
 */
export function virtioGpuQueueCtrlBuffer(vgdev: VirtioGpuDevice): boolean {
  const token = drmDevEnter(vgdev.dev);
  if (token === null) return false;
  drmDevExit(vgdev.dev, token);
  return true;
}

/**
 * The module's resource id counter: with the virglrenderer workaround (the `virglhack`
 * parameter, on by default) ids are never reused, across every device of the kernel; the
 * first is 2. @see virtio_gpu_resource_id_get() in virtgpu_object.c
 */
export class VirtioGpuModule extends KObject {
  seqno = 0;
  constructor(kernel: Kernel) {
    const label = "virtio_gpu module";
    const mem = kernel.sim.alloc("virtio_gpu", { kind: "static", label, persistent: true });
    super(kernel.sim, mem);
  }
}

/** The module's globals in `kernel`, made when first used (as the module is loaded). */
export const virtioGpuModule = perKernel((kernel) => new VirtioGpuModule(kernel));
