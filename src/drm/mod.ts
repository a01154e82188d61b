/**
 * The DRM core's driver-facing API (like include/drm/*.h).
 */
export { ACCEL_MAJOR, DrmCore, drmCore } from "./drm_core.js";
export { DrmMaster, drmIsCurrentMaster } from "./auth.js";
export { DRIVER_ATOMIC, DRIVER_COMPUTE_ACCEL, DRIVER_CURSOR_HOTSPOT, DRIVER_GEM, DRIVER_MODESET, DRIVER_RENDER, DRIVER_SYNCOBJ, DRIVER_SYNCOBJ_TIMELINE, drmCoreCheckFeature, type DrmDriver } from "./drm_driver.js";
export { type DumbCreateArgs, type DumbCreateResult } from "./dumb_buffers.js";
export { devmDrmDevAlloc, drmDevAlloc, drmDevEnter, drmDevExit, drmDevGet, drmDevInit, drmDevIsUnplugged, drmDevPut, drmDevRegister, drmDevUnplug, drmDevUnregister, DrmDevice } from "./device.js";
export { DRM_FILE_EVENTS_MAX, DrmFile, drmFileOf, drmGemFops, drmSendEvent } from "./file.js";
export { DRM_FILE_PAGE_OFFSET_START, drmGemCreateMmapOffset, drmGemHandleCreate, drmGemObjectGet, drmGemObjectPut, gemObjectAs, GemObject, type DrmGemObjectFuncs } from "./gem.js";
export { drmGemDmaDumbCreate, DrmGemDmaObject } from "./gem_dma.js";
export { drmGemShmemCreate, drmGemShmemFree, DrmGemShmemObject, drmGemShmemVmOps, type ShmemObjectMaker } from "./gem_shmem.js";
export { drmGemVramDriverDumbCreate, DrmGemVramObject } from "./gem_vram.js";
export { DRM_AUTH, DRM_MASTER, DRM_RENDER_ALLOW, DRM_ROOT_ONLY, drmDriverIoctlTable, drmIoctlDef, sleepingHandler, syncHandler, type AnyDrmIoctlDesc, type DrmIoctlDesc, type IoctlFootprint } from "./ioctl_desc.js";
export { CONNECTOR_TYPES, drmmConnectorInit, drmmModeConfigInit, drmSysfsConnectorHotplugEvent, drmSysfsHotplugEvent, DrmConnector, ModeConfig, modeConfigOf, STANDARD_PROPERTIES, type ConnectorTypeName, type KmsPipeFuncs } from "./kms.js";
export { drmFramebufferLookup, DrmFramebuffer } from "./kms_fb.js";
export { DrmCrtc, DrmPlane, frameTicks, MODE_1024X768_60, type ModeInfo } from "./kms_objects.js";
export { drmSimpleDisplayPipeInit } from "./kms_pipe.js";
export { drmAtomicHelperShutdown } from "./kms_remove.js";
export { drmHardwareAccessCheck, type RemoverRef } from "./hw_access.js";
export { drmManagedRelease, drmmAddAction, drmmAddActionOrReset, drmmKcalloc, drmmKfree, drmmKmallocArray, drmmKstrdup, drmmKzalloc, drmmMutexInit, drmmReleaseAction, type DrmmAction, type ManagedBuffer } from "./managed.js";
export { DrmMinor, minorName } from "./minor.js";
export { DRM_MINOR_ACCEL, DRM_MINOR_PRIMARY, DRM_MINOR_RENDER, MinorTable, type DrmMinorType } from "./minor_table.js";
export { DrmSyncobj, drmSyncobjCreate, drmSyncobjFenceGet, drmSyncobjGet, drmSyncobjGetHandle, drmSyncobjLookup, drmSyncobjPut, drmSyncobjObjects, drmSyncobjReplaceFence, type SyncobjWaitEntry } from "./syncobj.js";
export { drmTimeoutAbsToTicks } from "./syncobj_wait.js";
export { drmSchedEntityCancelReady, drmSchedEntityDestroy, drmSchedEntityFini, drmSchedEntityFlush, drmSchedEntityInit, drmSchedEntityKill, drmSchedEntityObjects, drmSchedEntityPushJob, DrmSchedEntity, MAX_WAIT_SCHED_ENTITY_Q_EMPTY_TICKS } from "./sched_entity.js";
export { drmSchedFenceFinished, drmSchedFenceScheduled, type DrmSchedFence } from "./sched_fence.js";
export { drmSchedFini, drmSchedFree, drmSchedWqueueStart, drmSchedWqueueStop } from "./sched_fini.js";
export { drmSchedJobAddDependency, drmSchedJobArm, drmSchedJobDoneFootprint, drmSchedJobInit, drmSchedJobObjects, DrmSchedJob, sFenceOf } from "./sched_job.js";
export { DrmGpuScheduler, drmSchedInit, drmSchedulersOf, schedKillObjects, schedObjects, schedStep, type DrmGpuSchedStat, type DrmSchedBackendOps } from "./sched_main.js";
export { drmSchedResubmitJobs, drmSchedStart, drmSchedStop } from "./sched_recovery.js";
export { drmGemPrimeGetPages } from "./prime_dmabuf.js";
export { drmGemPrimeImportSgTable } from "./prime_import.js";
export {
  DRM_WEDGE_RECOVERY_BUS_RESET,
  DRM_WEDGE_RECOVERY_COLD_RESET,
  DRM_WEDGE_RECOVERY_NONE,
  DRM_WEDGE_RECOVERY_REBIND,
  DRM_WEDGE_RECOVERY_VENDOR,
  drmDevWedgedEvent,
  drmGetWedgeRecovery,
  drmWedgedEventString,
  drmWedgedStateClear,
  type DrmWedgeTaskInfo,
} from "./wedged.js";
export { drmHelperHpdIrqEvent } from "./kms_probe_helper.js";
