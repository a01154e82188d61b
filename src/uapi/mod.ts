/**
 * What the kernel and userspace share, like include/uapi: errno, ioctl numbers and argument
 * structs, uevent formats. Imports nothing else of vdrm.
 */
export { ERRNO, ERRNO_NAMES, errnoName, errnoValue, fail, isErrnoName, ok, type ErrnoName, type SysResult } from "./errno.js";
export {
  DRM_CAP,
  DRM_CLIENT_CAP,
  DRM_IF_MAJOR,
  DRM_IF_MINOR,
  DRM_CLOEXEC,
  DRM_MAJOR,
  DRM_PRIME_CAP_EXPORT,
  DRM_PRIME_CAP_IMPORT,
  DRM_RDWR,
} from "./drm.js";
export {
  DRM_CORE_IOCTLS,
  DRM_IOCTL_AUTH_MAGIC,
  DRM_IOCTL_DROP_MASTER,
  DRM_IOCTL_GEM_CLOSE,
  DRM_IOCTL_GET_CAP,
  DRM_IOCTL_GET_CLIENT,
  DRM_IOCTL_GET_MAGIC,
  DRM_IOCTL_GET_UNIQUE,
  DRM_IOCTL_PRIME_FD_TO_HANDLE,
  DRM_IOCTL_PRIME_HANDLE_TO_FD,
  DRM_IOCTL_SET_CLIENT_CAP,
  DRM_IOCTL_SET_MASTER,
  DRM_IOCTL_SET_VERSION,
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_SYNCOBJ_DESTROY,
  DRM_IOCTL_VERSION,
} from "./drm_ioctls.js";
export {
  DRM_IOCTL_MODE_ADDFB,
  DRM_IOCTL_MODE_ADDFB2,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_DESTROYPROPBLOB,
  DRM_IOCTL_MODE_DESTROY_DUMB,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_GETENCODER,
  DRM_IOCTL_MODE_GETPLANE,
  DRM_IOCTL_MODE_GETPLANERESOURCES,
  DRM_IOCTL_MODE_GETPROPBLOB,
  DRM_IOCTL_MODE_GETPROPERTY,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_RMFB,
  DRM_IOCTL_MODE_SETCRTC,
} from "./drm_mode_ioctls.js";
export * from "./drm_mode_kms.js";
export * from "./drm_mode_lease.js";
export * from "./drm_event.js";
export { drm_mode_modeinfo, DRM_MODE_ATOMIC_ALLOW_MODESET, DRM_MODE_ATOMIC_FLAGS, DRM_MODE_ATOMIC_NONBLOCK, DRM_MODE_ATOMIC_TEST_ONLY, DRM_MODE_PAGE_FLIP_ASYNC, DRM_MODE_PAGE_FLIP_EVENT } from "./drm_mode.js";
export {
  DRM_COMMAND_BASE,
  DRM_COMMAND_END,
  DRM_IOCTL_BASE,
  ioc,
  IOC_NONE,
  IOC_READ,
  IOC_WRITE,
  iocCopiesIn,
  iocCopiesOut,
  iocDir,
  iocNr,
  iocSize,
  iocType,
  ioctlDef,
  ioctlDefNoArg,
  VOID_STRUCT,
  type AnyIoctlDef,
  type FieldDir,
  type IoctlDef,
  type IoctlFields,
  type IoctlIn,
  type IoctlOutOf,
} from "./ioctl.js";
export {
  __u32,
  __u64,
  cstruct,
  describeIntRange,
  fieldValue,
  fieldValueProblem,
  intRange,
  u64Of,
  zeroValue,
  type AnyFieldValue,
  type StructValue,
  type FieldDesc,
  type FieldDescs,
  type StructDesc,
  type UserArrayField,
} from "./ioctl_struct.js";
export { structFromBytes, structToBytes } from "./struct_bytes.js";
export { DRM_IOCTL_NAMES, DRM_IOCTLS, ioctlByCmd, ioctlByName, KNOWN_IOCTLS } from "./ioctl_table.js";
export { encodeKernelUevent, formatUdevadm, formatUeventRaw, parseKernelUevent, UDEVADM_BANNER, UEVENT_ACTIONS, ueventGet, UeventParseError, ueventSeqnum, type Uevent, type UeventAction } from "./uevent.js";
export {
  NO_IOCTL_ARG,
  O_CLOEXEC,
  O_NONBLOCK,
  O_EXCL,
  O_LARGEFILE,
  O_RDWR,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  POLLRDBAND,
  POLLRDNORM,
  type Call,
  type DirEntry,
  type Fd,
  type IoctlRequest,
  type MemResult,
  type OpenFlags,
  type SignalName,
  type Syscalls,
} from "./syscalls.js";
export {
  DRM_IOCTL_VIRTGPU_EXECBUFFER,
  DRM_IOCTL_VIRTGPU_GETPARAM,
  DRM_IOCTL_VIRTGPU_MAP,
  DRM_IOCTL_VIRTGPU_RESOURCE_CREATE,
  DRM_IOCTL_VIRTGPU_RESOURCE_INFO,
  VIRTGPU_IOCTLS,
  VIRTGPU_PARAM,
} from "./virtgpu_drm.js";
export {
  DRM_IOCTL_I915_GEM_CONTEXT_CREATE,
  DRM_IOCTL_I915_GEM_CONTEXT_DESTROY,
  DRM_IOCTL_I915_GEM_THROTTLE,
  I915_IOCTLS,
} from "./i915_drm.js";
export { DRM_IOCTL_VTEST_HOLD_ENTER, DRM_IOCTL_VTEST_JOB, DRM_IOCTL_VTEST_SUBMIT, drm_vtest_hold_enter, drm_vtest_job, drm_vtest_submit, VTEST_ENGINE_COUNT, VTEST_IOCTLS, VTEST_BATCH_END, VTEST_SUBMIT_FLAGS, VTEST_SUBMIT_HANG, VTEST_SUBMIT_SPIN } from "./vtest_drm.js";
export {
  DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
  DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
  DRM_IOCTL_SYNCOBJ_RESET,
  DRM_IOCTL_SYNCOBJ_SIGNAL,
  DRM_IOCTL_SYNCOBJ_WAIT,
  DRM_SYNCOBJ_CREATE_SIGNALED,
  DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
  DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE,
  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
} from "./drm_syncobj.js";
export { SYNC_FILE_IOCTLS, SYNC_IOC_FILE_INFO, SYNC_IOC_MAGIC } from "./sync_file.js";
export {
  DMA_BUF_BASE,
  DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
  DMA_BUF_IOCTL_SYNC,
  DMA_BUF_IOCTLS,
  DMA_BUF_NAME_LEN,
  DMA_BUF_SET_NAME,
  DMA_BUF_SYNC_END,
  DMA_BUF_SYNC_READ,
  DMA_BUF_SYNC_RW,
  DMA_BUF_SYNC_START,
  DMA_BUF_SYNC_VALID_FLAGS_MASK,
  DMA_BUF_SYNC_WRITE,
} from "./dma_buf.js";
