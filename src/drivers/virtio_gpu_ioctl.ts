/**
 * virtio-gpu's private ioctls (all DRM_RENDER_ALLOW, so a render node can make them): MAP,
 * EXECBUFFER, GETPARAM, RESOURCE_CREATE and RESOURCE_INFO, with Linux's answers for a device
 * without virgl 3D. The other six numbers of the uapi are not modelled (past the table: EINVAL).
 * After unplug the core's gate answers ENODEV before any of them runs (R38).
 *
 * @see drivers/gpu/drm/virtio/virtgpu_ioctl.c, virtgpu_submit.c
 */
import {
  drmGemCreateMmapOffset,
  drmGemHandleCreate,
  drmGemObjectPut,
  drmIoctlDef,
  DRM_RENDER_ALLOW,
  gemObjectAs,
  sleepingHandler,
  syncHandler,
  type AnyDrmIoctlDesc,
  type DrmFile,
} from "../drm/mod.js";
import { PAGE_SIZE } from "../base/mod.js";
import { step, type Task } from "../kernel/mod.js";
import {
  DRM_IOCTL_VIRTGPU_EXECBUFFER,
  DRM_IOCTL_VIRTGPU_GETPARAM,
  DRM_IOCTL_VIRTGPU_MAP,
  DRM_IOCTL_VIRTGPU_RESOURCE_CREATE,
  DRM_IOCTL_VIRTGPU_RESOURCE_INFO,
  fail,
  ok,
  VIRTGPU_PARAM,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import {
  vgdevOf,
  VIRTIO_GPU_F_CONTEXT_INIT,
  VIRTIO_GPU_F_RESOURCE_BLOB,
  VIRTIO_GPU_F_RESOURCE_UUID,
  VIRTIO_GPU_F_VIRGL,
  type VirtioGpuDevice,
} from "./virtio_gpu_kms.js";
import {
  virtioGpuObjectCreate,
  virtioGpuObjectFootprint,
  VirtioGpuObject,
} from "./virtio_gpu_object.js";

/** PIPE_TEXTURE_2D, the one target of a resource without virgl. */
const PIPE_TEXTURE_2D = 2;

type Result<Def extends typeof DRM_IOCTL_VIRTGPU_MAP | typeof DRM_IOCTL_VIRTGPU_EXECBUFFER
  | typeof DRM_IOCTL_VIRTGPU_GETPARAM | typeof DRM_IOCTL_VIRTGPU_RESOURCE_CREATE
  | typeof DRM_IOCTL_VIRTGPU_RESOURCE_INFO> = SysResult<IoctlOutOf<Def>>;

/** The fake offset of a buffer the file has a handle for. @see virtio_gpu_mode_dumb_mmap() */
function virtioGpuMapIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_VIRTGPU_MAP>,
): Result<typeof DRM_IOCTL_VIRTGPU_MAP> {
  const obj = file.handles.get(arg.handle);
  if (obj === undefined) return fail("ENOENT");
  // The offset was made with the object; this only reads it back.
  return ok({ offset: drmGemCreateMmapOffset(obj) });
}

/**
 * A 3D command stream needs virgl, which the model's device never has (virtioGpuInit() takes
 * no device that offers it): ENOSYS. @see virtio_gpu_execbuffer_ioctl()
 */
function virtioGpuExecbufferIoctl(): Result<typeof DRM_IOCTL_VIRTGPU_EXECBUFFER> {
  return fail("ENOSYS");
}

/** The value of one VIRTGPU_PARAM_*, or undefined for an unknown one. */
function paramValue(vgdev: VirtioGpuDevice, param: bigint): number | undefined {
  const bit = (b: number): number => (vgdev.has(b) ? 1 : 0);
  switch (param) {
    case BigInt(VIRTGPU_PARAM.VIRTGPU_PARAM_3D_FEATURES):
      return bit(VIRTIO_GPU_F_VIRGL);
    case BigInt(VIRTGPU_PARAM.VIRTGPU_PARAM_CAPSET_QUERY_FIX):
      return 1;
    case BigInt(VIRTGPU_PARAM.VIRTGPU_PARAM_RESOURCE_BLOB):
      return bit(VIRTIO_GPU_F_RESOURCE_BLOB);
    case BigInt(VIRTGPU_PARAM.VIRTGPU_PARAM_HOST_VISIBLE):
      return 0; // no host-visible memory region
    case BigInt(VIRTGPU_PARAM.VIRTGPU_PARAM_CROSS_DEVICE):
      return bit(VIRTIO_GPU_F_RESOURCE_UUID);
    case BigInt(VIRTGPU_PARAM.VIRTGPU_PARAM_CONTEXT_INIT):
    case BigInt(VIRTGPU_PARAM.VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME):
      return bit(VIRTIO_GPU_F_CONTEXT_INIT);
    case BigInt(VIRTGPU_PARAM.VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs):
      return 0; // the capset id mask: no capability sets
    default:
      return undefined;
  }
}

/** @see virtio_gpu_getparam_ioctl() */
function virtioGpuGetparamIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_VIRTGPU_GETPARAM>,
): Result<typeof DRM_IOCTL_VIRTGPU_GETPARAM> {
  const value = paramValue(vgdevOf(file.dev), arg.param);
  return value === undefined ? fail("EINVAL") : ok({ value: BigInt(value) });
}

/**
 * A host resource with a buffer of `size` bytes (one page for 0) and a handle for it. Without
 * virgl only a plain 2D texture: depth, samples, levels and array size of at most 1 and
 * target 2 (PIPE_TEXTURE_2D), else EINVAL; the format is the host's to check.
 * @see virtio_gpu_resource_create_ioctl()
 */
function* virtioGpuResourceCreateIoctl(
  file: DrmFile,
  rc: IoctlIn<typeof DRM_IOCTL_VIRTGPU_RESOURCE_CREATE>,
): Task<Result<typeof DRM_IOCTL_VIRTGPU_RESOURCE_CREATE>> {
  const dev = file.dev;
  if (rc.depth > 1 || rc.nr_samples > 1 || rc.last_level > 1) return fail("EINVAL");
  if (rc.target !== PIPE_TEXTURE_2D || rc.array_size > 1) return fail("EINVAL");
  yield step("virtio_gpu_resource_create_ioctl", [], [file, ...virtioGpuObjectFootprint(dev)]);
  const obj = virtioGpuObjectCreate(dev, rc.size === 0 ? PAGE_SIZE : rc.size);
  if (typeof obj === "string") return fail(obj);
  const handle = drmGemHandleCreate(file, obj);
  const resHandle = obj.hwResHandle;
  yield* drmGemObjectPut(obj); // the handle owns the reference now
  return ok({ bo_handle: handle, res_handle: resHandle });
}

/** @see virtio_gpu_resource_info_ioctl() */
function virtioGpuResourceInfoIoctl(
  file: DrmFile,
  ri: IoctlIn<typeof DRM_IOCTL_VIRTGPU_RESOURCE_INFO>,
): Result<typeof DRM_IOCTL_VIRTGPU_RESOURCE_INFO> {
  const obj = file.handles.get(ri.bo_handle);
  if (obj === undefined) return fail("ENOENT");
  const bo = gemObjectAs(obj, VirtioGpuObject);
  // Not a blob: blob_mem is left as the caller gave it.
  return ok({ res_handle: bo.hwResHandle, size: bo.sizeBytes, blob_mem: ri.blob_mem });
}

/** The object a handle names, for the footprints of the handlers that read it. */
function handleObject(file: DrmFile, handle: number) {
  const obj = file.handles.get(handle);
  return { reads: obj === undefined ? [] : [obj], writes: [] };
}

/** The driver's table. @see virtio_gpu_ioctls[] */
export const VIRTIO_GPU_IOCTLS: readonly AnyDrmIoctlDesc[] = [
  drmIoctlDef(
    DRM_IOCTL_VIRTGPU_MAP,
    "virtio_gpu_map_ioctl",
    DRM_RENDER_ALLOW,
    syncHandler(virtioGpuMapIoctl),
    (file, arg) => handleObject(file, arg.handle),
  ),
  drmIoctlDef(
    DRM_IOCTL_VIRTGPU_EXECBUFFER,
    "virtio_gpu_execbuffer_ioctl",
    DRM_RENDER_ALLOW,
    syncHandler(virtioGpuExecbufferIoctl),
  ),
  drmIoctlDef(
    DRM_IOCTL_VIRTGPU_GETPARAM,
    "virtio_gpu_getparam_ioctl",
    DRM_RENDER_ALLOW,
    syncHandler(virtioGpuGetparamIoctl),
  ),
  drmIoctlDef(
    DRM_IOCTL_VIRTGPU_RESOURCE_CREATE,
    "virtio_gpu_resource_create_ioctl",
    DRM_RENDER_ALLOW,
    sleepingHandler(virtioGpuResourceCreateIoctl),
  ),
  drmIoctlDef(
    DRM_IOCTL_VIRTGPU_RESOURCE_INFO,
    "virtio_gpu_resource_info_ioctl",
    DRM_RENDER_ALLOW,
    syncHandler(virtioGpuResourceInfoIoctl),
    (file, arg) => handleObject(file, arg.bo_handle),
  ),
];
