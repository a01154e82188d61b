/**
 * What the kernel and userspace share, like include/uapi: errno, ioctl numbers, uevent formats.
 * Imports nothing else of vdrm.
 */
export { ERRNO, ERRNO_NAMES, errnoName, errnoValue, fail, isErrnoName, ok, type ErrnoName, type SysResult } from "./errno.js";
export { DRM_CAP, DRM_CLIENT_CAP, DRM_COMMAND_BASE, DRM_COMMAND_END, DRM_IOCTL_BASE, DRM_IOCTL_NAMES, DRM_IOCTLS, DRM_MAJOR, DRM_MODE_ATOMIC_ALLOW_MODESET, DRM_MODE_ATOMIC_NONBLOCK, DRM_MODE_ATOMIC_TEST_ONLY, ioc, iocNr, iocSize, iocType, ioctlByCmd, ioctlByName, type IoctlDef } from "./ioctl.js";
export { encodeKernelUevent, formatUdevadm, formatUeventRaw, parseKernelUevent, UDEVADM_BANNER, UEVENT_ACTIONS, ueventGet, UeventParseError, ueventSeqnum, type Uevent, type UeventAction } from "./uevent.js";
export { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, type Call, type DirEntry, type Fd, type IoctlArg, type IoctlOut, type MemResult, type OpenFlags, type Syscalls } from "./syscalls.js";
