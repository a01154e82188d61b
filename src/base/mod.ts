/**
 * The driver-model base: devices, devres, driver binding, sysfs, device nodes and files,
 * memory maps, processes and their system calls, uevents.
 */
export { Device, deviceAdd, deviceAddSilently, deviceDel, deviceUeventEnv, getDevice, kobjectUevent, putDevice, type DeviceInit, type Devt } from "./device.js";
export { devmAddAction, devmAddActionOrReset, devmKzalloc, devresReleaseAll, type DevresAction, type DevresNode } from "./devres.js";
export { deviceBoundAtBoot, deviceDriverAttach, deviceReleaseDriver, driverSysfsDir, reallyProbe, type DeviceDriver } from "./driver.js";
export { FaultInjector, type FaultRule } from "./faults.js";
export { Kernel, perKernel } from "./kernel.js";
export { AddressSpace, Mm, PAGE_SHIFT, PAGE_SIZE, unmapMappingRange, Vma, vmfInsertPage, type FaultResult, type VmOps } from "./mm.js";
export { Process, type PendingCall } from "./process.js";
export { compareVersions, DEFAULT_KERNEL_VERSION, isKernelVersion, KERNEL_VERSIONS, PROFILE_NAMES, type KernelProfile, type KernelVersion, type ProfileName } from "./profile.js";
export { formatByVersion, recordVariantUse, variant, VARIANT_NAMES, VARIANTS, variantsMarkdown, type ByVersion, type VariantDef, type VariantName, type VariantValue } from "./variants.js";
export { baseName, parentOf, Sysfs, type SysfsNode } from "./sysfs.js";
export { UeventHub, type UeventListener } from "./uevent_hub.js";
export { UeventSocket } from "./uevent_socket.js";
export {
  anonInodeGetFile, fget, foldFdgetIntoIoctl, fput, KFile, O_ACCMODE, Vfs, vfsPoll, vfsPollWatch, type PollWatch,
  type ChrdevOpen, type FileOps, type PollWait,
} from "./vfs.js";
export {
  DmaFence,
  dmaFenceAddCallback,
  dmaFenceAllocatePrivateStub,
  dmaFenceContextAlloc,
  dmaFenceGet,
  dmaFenceGetStatus,
  dmaFenceInit,
  dmaFenceIsSignaled,
  dmaFencePut,
  dmaFencePutAtomic,
  dmaFenceRemoveCallback,
  dmaFenceSetError,
  dmaFenceSignal,
  dmaFenceWait,
  dmaFenceWaitTimeout,
  ERESTARTSYS,
  fenceName,
  MAX_ERRNO,
  type DmaFenceCb,
  type DmaFenceOps,
} from "./dma_fence.js";
export { reportFencesNeverSignalled } from "./dma_fence_hang.js";
export { currentProcess, currentProcessExiting, fdInstall, fdLookup } from "./fd_install.js";
export { SyncFile, syncFileCreate, syncFileOf } from "./sync_file.js";
export { SHMEM_ZERO_PATH, shmemZeroSetup } from "./shmem_zero.js";
export {
  DmaBuf,
  dmaBufAttach,
  DmaBufAttachment,
  dmaBufDetach,
  dmaBufFd,
  dmaBufGet,
  dmaBufMapAttachment,
  dmaBufOf,
  dmaBufPut,
  getDmaBuf,
  type DmaBufOps,
  type SgTable,
} from "./dma_buf.js";
export { dmaBufExport, type DmaBufExportInfo } from "./dma_buf_file.js";
export { DEVCD_TIMEOUT_MS, devCoredumpOf, devCoredumpv } from "./devcoredump.js";
