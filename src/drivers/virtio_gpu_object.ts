/**
 * virtio-gpu's buffer objects: GEM shmem objects (system memory, whose pages outlive an unplug,
 * R52) that back a host resource. Making one allocates its resource id and asks the host to
 * create the resource and attach the pages; freeing one asks the host to drop it (a command
 * the driver cannot send once the device is gone: then it cleans up at once).
 *
 * Dumb buffers are 32 bpp only (EINVAL otherwise): pitch = width x 4, size page-aligned.
 *
 * @see drivers/gpu/drm/virtio/virtgpu_object.c (virtio_gpu_object_create(),
 *      virtio_gpu_free_object()), virtgpu_gem.c (virtio_gpu_mode_dumb_create())
 */
import { PAGE_SIZE } from "../base/mod.js";
import {
  drmGemHandleCreate,
  drmGemObjectPut,
  drmGemPrimeGetPages,
  drmGemShmemCreate,
  drmGemShmemFree,
  DrmGemShmemObject,
  drmGemShmemVmOps,
  gemObjectAs,
  type DrmDevice,
  type DrmFile,
  type DrmGemObjectFuncs,
  type DumbCreateArgs,
  type DumbCreateResult,
  type GemObject,
} from "../drm/mod.js";
import { step, type Allocation, type KStruct, type Task } from "../kernel/mod.js";
import { fail, ok, type ErrnoName } from "../uapi/mod.js";
import { vgdevOf, virtioGpuModule, virtioGpuQueueCtrlBuffer } from "./virtio_gpu_kms.js";

/** struct virtio_gpu_object: a shmem object with its host resource. */
export class VirtioGpuObject extends DrmGemShmemObject {
  /** The host resource id (hw_res_handle); 0 until one is given. */
  hwResHandle = 0;
  /** The host was asked to create the resource. */
  created = false;
  constructor(mem: Allocation, dev: DrmDevice, sizeBytes: number) {
    super(mem, dev, sizeBytes, virtioGpuShmemFuncs);
  }
}

/** The shmem helper's functions, with the driver's own free. @see virtio_gpu_shmem_funcs */
const virtioGpuShmemFuncs: DrmGemObjectFuncs = {
  name: "virtio_gpu_shmem_funcs",
  free: virtioGpuFreeObject,
  vmOps: drmGemShmemVmOps,
  getSgTable: drmGemPrimeGetPages, // drm_gem_shmem_object_get_sg_table()
};

/**
 * The steps that make objects declare the device, its virtio_gpu_device, the module's id
 * counter and drm_unplug_srcu (the host command), besides what the caller names.
 */
export function virtioGpuObjectFootprint(dev: DrmDevice): KStruct[] {
  return [dev, vgdevOf(dev), virtioGpuModule(dev.kernel), dev.unplugSrcu];
}

/**
 * A new object of `sizeBytes` (rounded up to whole pages) and its host resource: the next
 * resource id of the module, then the host's create and attach-backing commands. ENOSPC when
 * the device's offset space is full. @see virtio_gpu_object_create() (2D, not blob)
 */
export function virtioGpuObjectCreate(
  dev: DrmDevice,
  sizeBytes: number,
): VirtioGpuObject | ErrnoName {
  const make = (mem: Allocation, d: DrmDevice, size: number): VirtioGpuObject =>
    new VirtioGpuObject(mem, d, size);
  const obj = drmGemShmemCreate(dev, sizeBytes, make);
  if (typeof obj === "string") return obj;
  const module = virtioGpuModule(dev.kernel);
  module.seqno++;
  obj.hwResHandle = module.seqno + 1;
  // virtio_gpu_cmd_create_resource() marks the resource created, then queues the command.
  obj.created = true;
  virtioGpuQueueCtrlBuffer(vgdevOf(dev));
  return obj;
}

/**
 * Asks the host to drop the resource; the object is cleaned up when it answers, or at once
 * when the command cannot be sent (the device is gone). The resource id is not given back (the
 * virglrenderer workaround never reuses one). @see virtio_gpu_free_object(),
 * virtio_gpu_cmd_unref_resource(), virtio_gpu_cleanup_object()
 */
function* virtioGpuFreeObject(obj: GemObject): Task<void> {
  const bo = gemObjectAs(obj, VirtioGpuObject);
  const dev = bo.dev;
  const vgdev = vgdevOf(dev);
  yield step("virtio_gpu_free_object", [vgdev], [bo, dev, dev.unplugSrcu]);
  if (bo.created) virtioGpuQueueCtrlBuffer(vgdev);
  yield* drmGemShmemFree(bo);
}

/** @see virtio_gpu_mode_dumb_create(), virtio_gpu_gem_create() */
export function* virtioGpuModeDumbCreate(
  file: DrmFile,
  arg: DumbCreateArgs,
): Task<DumbCreateResult> {
  if (arg.bpp !== 32) return fail("EINVAL");
  const dev = file.dev;
  yield step("virtio_gpu_mode_dumb_create", [], [file, ...virtioGpuObjectFootprint(dev)]);
  // u32 arithmetic, as in C (the core's checks keep it from wrapping at 32 bpp).
  const pitch = Math.imul(arg.width, 4) >>> 0;
  const size = Math.ceil((Math.imul(pitch, arg.height) >>> 0) / PAGE_SIZE) * PAGE_SIZE;
  const obj = virtioGpuObjectCreate(dev, size);
  if (typeof obj === "string") return fail(obj);
  const handle = drmGemHandleCreate(file, obj);
  yield* drmGemObjectPut(obj); // the handle keeps it
  return ok({ handle, pitch, size: BigInt(size) });
}
