/**
 * The core ioctl table (drm_ioctls[]): for each core ioctl the model implements, its uapi
 * definition, the C function that handles it, the permission flags of the kernel's table, and
 * the handler. Numbers without an entry fail with EINVAL in drm_ioctl(), as Linux's holes and
 * entries without a function do.
 *
 * @see drm_ioctls[] in drivers/gpu/drm/drm_ioctl.c
 */
import {
  DRM_IOCTL_AUTH_MAGIC,
  DRM_IOCTL_DROP_MASTER,
  DRM_IOCTL_GEM_CLOSE,
  DRM_IOCTL_GET_CAP,
  DRM_IOCTL_GET_CLIENT,
  DRM_IOCTL_GET_MAGIC,
  DRM_IOCTL_GET_UNIQUE,
  DRM_IOCTL_MODE_ADDFB,
  DRM_IOCTL_MODE_ADDFB2,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_CREATE_LEASE,
  DRM_IOCTL_MODE_CREATEPROPBLOB,
  DRM_IOCTL_MODE_DESTROY_DUMB,
  DRM_IOCTL_MODE_DESTROYPROPBLOB,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_GETCRTC,
  DRM_IOCTL_MODE_GETENCODER,
  DRM_IOCTL_MODE_GETPLANE,
  DRM_IOCTL_MODE_GETPLANERESOURCES,
  DRM_IOCTL_MODE_GETPROPBLOB,
  DRM_IOCTL_MODE_GETPROPERTY,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_MODE_GET_LEASE,
  DRM_IOCTL_MODE_LIST_LESSEES,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_REVOKE_LEASE,
  DRM_IOCTL_MODE_RMFB,
  DRM_IOCTL_MODE_SETCRTC,
  DRM_IOCTL_PRIME_FD_TO_HANDLE,
  DRM_IOCTL_PRIME_HANDLE_TO_FD,
  DRM_IOCTL_SET_CLIENT_CAP,
  DRM_IOCTL_SET_MASTER,
  DRM_IOCTL_SET_VERSION,
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_SYNCOBJ_DESTROY,
  DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
  DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
  DRM_IOCTL_SYNCOBJ_RESET,
  DRM_IOCTL_SYNCOBJ_SIGNAL,
  DRM_IOCTL_SYNCOBJ_WAIT,
  DRM_IOCTL_VERSION,
} from "../uapi/mod.js";
import { drmModeAtomicIoctl } from "./atomic_uapi.js";
import {
  drmAuthmagic,
  drmAuthmagicTouches,
  drmDropmasterIoctl,
  drmGetmagic,
  drmMasterIoctlTouches,
  drmSetmasterIoctl,
  readsFileMaster,
  writesFileMaster,
} from "./auth.js";
import { drmGetcap, drmSetclientcap } from "./caps.js";
import {
  drmModeCreateDumbIoctl,
  drmModeDestroyDumbIoctl,
  drmModeMmapDumbIoctl,
  drmModeMmapDumbTouches,
} from "./dumb_buffers.js";
import {
  drmModeCreateLeaseIoctl,
  drmModeGetLeaseIoctl,
  drmModeListLesseesIoctl,
  drmModeRevokeLeaseIoctl,
  leaseReads,
  leaseTreeTouches,
} from "./drm_lease.js";
import { drmGemCloseIoctl } from "./gem.js";
import {
  DRM_MASTER,
  DRM_RENDER_ALLOW,
  drmIoctlDef,
  drmIoctlTableByNr,
  drmKmsIoctlDef,
  sleepingHandler,
  syncHandler,
  type AnyDrmIoctlDesc,
} from "./ioctl_desc.js";
import { drmModeGetresources } from "./kms.js";
import { blobTouches, drmModeCreateblobIoctl, drmModeDestroyblobIoctl, drmModeGetblobIoctl, getblobTouches } from "./kms_blob.js";
import { drmModeAddfb2Ioctl, drmModeAddfb2Touches, drmModeAddfbIoctl, drmModeAddfbTouches } from "./kms_fb.js";
import { drmModeGetconnector, drmModeGetcrtc, drmModeGetencoder, drmModeGetplane, drmModeGetplaneRes } from "./kms_getters.js";
import { drmModePageFlipIoctl, drmModeSetcrtc } from "./kms_legacy.js";
import { drmModeGetpropertyIoctl, drmModeObjGetPropertiesIoctl } from "./kms_property.js";
import { drmModeRmfbIoctl } from "./kms_remove.js";
import { drmPrimeFdToHandleIoctl, drmPrimeHandleToFdIoctl } from "./prime.js";
import {
  drmSyncobjCreateIoctl,
  drmSyncobjDestroyIoctl,
  drmSyncobjFdToHandleIoctl,
  drmSyncobjHandleToFdIoctl,
  drmSyncobjResetIoctl,
  drmSyncobjSignalIoctl,
} from "./syncobj_ioctl.js";
import { drmSyncobjWaitIoctl } from "./syncobj_wait.js";
import { drmGetclient, drmGetunique, drmSetversion, drmVersion } from "./version.js";

/** The entries, in number order; each `fn` is the handler's C name, as in drm_ioctls[]. */
const CORE_IOCTL_ENTRIES: readonly AnyDrmIoctlDesc[] = [
  drmIoctlDef(DRM_IOCTL_VERSION, "drm_version", DRM_RENDER_ALLOW, syncHandler(drmVersion)),
  drmIoctlDef(DRM_IOCTL_GET_UNIQUE, "drm_getunique", 0, syncHandler(drmGetunique), readsFileMaster),
  drmIoctlDef(DRM_IOCTL_GET_MAGIC, "drm_getmagic", 0, syncHandler(drmGetmagic), writesFileMaster),
  drmIoctlDef(DRM_IOCTL_GET_CLIENT, "drm_getclient", 0, syncHandler(drmGetclient)),
  drmIoctlDef(
    DRM_IOCTL_SET_VERSION,
    "drm_setversion",
    DRM_MASTER,
    syncHandler(drmSetversion),
    writesFileMaster,
  ),
  drmIoctlDef(
    DRM_IOCTL_GEM_CLOSE,
    "drm_gem_close_ioctl",
    DRM_RENDER_ALLOW,
    sleepingHandler(drmGemCloseIoctl),
  ),
  drmIoctlDef(DRM_IOCTL_GET_CAP, "drm_getcap", DRM_RENDER_ALLOW, syncHandler(drmGetcap)),
  drmIoctlDef(DRM_IOCTL_SET_CLIENT_CAP, "drm_setclientcap", 0, syncHandler(drmSetclientcap)),
  drmIoctlDef(
    DRM_IOCTL_AUTH_MAGIC,
    "drm_authmagic",
    DRM_MASTER,
    syncHandler(drmAuthmagic),
    drmAuthmagicTouches,
  ),
  drmIoctlDef(
    DRM_IOCTL_SET_MASTER,
    "drm_setmaster_ioctl",
    0,
    sleepingHandler(drmSetmasterIoctl),
    drmMasterIoctlTouches,
  ),
  drmIoctlDef(
    DRM_IOCTL_DROP_MASTER,
    "drm_dropmaster_ioctl",
    0,
    sleepingHandler(drmDropmasterIoctl),
    drmMasterIoctlTouches,
  ),
  drmIoctlDef(
    DRM_IOCTL_PRIME_HANDLE_TO_FD,
    "drm_prime_handle_to_fd_ioctl",
    DRM_RENDER_ALLOW,
    sleepingHandler(drmPrimeHandleToFdIoctl),
  ),
  drmIoctlDef(
    DRM_IOCTL_PRIME_FD_TO_HANDLE,
    "drm_prime_fd_to_handle_ioctl",
    DRM_RENDER_ALLOW,
    sleepingHandler(drmPrimeFdToHandleIoctl),
  ),
  drmKmsIoctlDef(
    DRM_IOCTL_MODE_GETRESOURCES,
    "drm_mode_getresources",
    0,
    syncHandler(drmModeGetresources), leaseReads,
  ),
  drmKmsIoctlDef(DRM_IOCTL_MODE_GETCRTC, "drm_mode_getcrtc", 0, syncHandler(drmModeGetcrtc), leaseReads),
  drmKmsIoctlDef(DRM_IOCTL_MODE_SETCRTC, "drm_mode_setcrtc", DRM_MASTER, sleepingHandler(drmModeSetcrtc)),
  drmKmsIoctlDef(DRM_IOCTL_MODE_GETENCODER, "drm_mode_getencoder", 0, syncHandler(drmModeGetencoder), leaseReads),
  drmKmsIoctlDef(DRM_IOCTL_MODE_GETCONNECTOR, "drm_mode_getconnector", 0, syncHandler(drmModeGetconnector), leaseReads),
  drmKmsIoctlDef(
    DRM_IOCTL_MODE_GETPROPERTY,
    "drm_mode_getproperty_ioctl",
    0,
    syncHandler(drmModeGetpropertyIoctl),
  ),
  drmKmsIoctlDef(
    DRM_IOCTL_MODE_GETPROPBLOB,
    "drm_mode_getblob_ioctl",
    0,
    syncHandler(drmModeGetblobIoctl),
    getblobTouches,
  ),
  drmKmsIoctlDef(
    DRM_IOCTL_MODE_ADDFB,
    "drm_mode_addfb_ioctl",
    0,
    syncHandler(drmModeAddfbIoctl),
    drmModeAddfbTouches,
  ),
  drmKmsIoctlDef(DRM_IOCTL_MODE_RMFB, "drm_mode_rmfb_ioctl", 0, sleepingHandler(drmModeRmfbIoctl)),
  drmKmsIoctlDef(
    DRM_IOCTL_MODE_PAGE_FLIP,
    "drm_mode_page_flip_ioctl",
    DRM_MASTER,
    sleepingHandler(drmModePageFlipIoctl),
  ),
  drmIoctlDef(
    DRM_IOCTL_MODE_CREATE_DUMB,
    "drm_mode_create_dumb_ioctl",
    0,
    sleepingHandler(drmModeCreateDumbIoctl),
  ),
  drmIoctlDef(
    DRM_IOCTL_MODE_MAP_DUMB,
    "drm_mode_mmap_dumb_ioctl",
    0,
    syncHandler(drmModeMmapDumbIoctl),
    drmModeMmapDumbTouches,
  ),
  drmIoctlDef(
    DRM_IOCTL_MODE_DESTROY_DUMB,
    "drm_mode_destroy_dumb_ioctl",
    0,
    sleepingHandler(drmModeDestroyDumbIoctl),
  ),
  drmKmsIoctlDef(
    DRM_IOCTL_MODE_GETPLANERESOURCES,
    "drm_mode_getplane_res",
    0,
    syncHandler(drmModeGetplaneRes), leaseReads,
  ),
  drmKmsIoctlDef(DRM_IOCTL_MODE_GETPLANE, "drm_mode_getplane", 0, syncHandler(drmModeGetplane), leaseReads),
  drmKmsIoctlDef(
    DRM_IOCTL_MODE_ADDFB2,
    "drm_mode_addfb2_ioctl",
    0,
    syncHandler(drmModeAddfb2Ioctl),
    drmModeAddfb2Touches,
  ),
  drmKmsIoctlDef(
    DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
    "drm_mode_obj_get_properties_ioctl",
    0,
    syncHandler(drmModeObjGetPropertiesIoctl), leaseReads,
  ),
  drmKmsIoctlDef(
    DRM_IOCTL_MODE_ATOMIC,
    "drm_mode_atomic_ioctl",
    DRM_MASTER,
    sleepingHandler(drmModeAtomicIoctl),
  ),
  drmKmsIoctlDef(
    DRM_IOCTL_MODE_CREATEPROPBLOB,
    "drm_mode_createblob_ioctl",
    0,
    syncHandler(drmModeCreateblobIoctl),
    blobTouches,
  ),
  drmKmsIoctlDef(
    DRM_IOCTL_MODE_DESTROYPROPBLOB,
    "drm_mode_destroyblob_ioctl",
    0,
    syncHandler(drmModeDestroyblobIoctl),
    blobTouches,
  ),
  ...syncobjEntries(),
  ...leaseEntries(),
];

/** The lease entries, all MASTER as in drm_ioctls[]; not `kms`: ENODEV after unplug in every profile. */
function leaseEntries(): AnyDrmIoctlDesc[] {
  const M = DRM_MASTER;
  return [
    drmIoctlDef(
      DRM_IOCTL_MODE_CREATE_LEASE,
      "drm_mode_create_lease_ioctl",
      M,
      sleepingHandler(drmModeCreateLeaseIoctl),
      leaseTreeTouches,
    ),
    drmIoctlDef(
      DRM_IOCTL_MODE_LIST_LESSEES,
      "drm_mode_list_lessees_ioctl",
      M,
      syncHandler(drmModeListLesseesIoctl),
      leaseTreeTouches,
    ),
    drmIoctlDef(DRM_IOCTL_MODE_GET_LEASE, "drm_mode_get_lease_ioctl", M, syncHandler(drmModeGetLeaseIoctl), leaseReads),
    drmIoctlDef(
      DRM_IOCTL_MODE_REVOKE_LEASE,
      "drm_mode_revoke_lease_ioctl",
      M,
      syncHandler(drmModeRevokeLeaseIoctl),
      leaseTreeTouches,
    ),
  ];
}

/** The syncobj entries, all RENDER_ALLOW as in drm_ioctls[]. */
function syncobjEntries(): AnyDrmIoctlDesc[] {
  const R = DRM_RENDER_ALLOW;
  return [
    drmIoctlDef(DRM_IOCTL_SYNCOBJ_CREATE, "drm_syncobj_create_ioctl", R, sleepingHandler(drmSyncobjCreateIoctl)),
    drmIoctlDef(DRM_IOCTL_SYNCOBJ_DESTROY, "drm_syncobj_destroy_ioctl", R, sleepingHandler(drmSyncobjDestroyIoctl)),
    drmIoctlDef(
      DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
      "drm_syncobj_handle_to_fd_ioctl",
      R,
      sleepingHandler(drmSyncobjHandleToFdIoctl),
    ),
    drmIoctlDef(
      DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
      "drm_syncobj_fd_to_handle_ioctl",
      R,
      sleepingHandler(drmSyncobjFdToHandleIoctl),
    ),
    drmIoctlDef(DRM_IOCTL_SYNCOBJ_WAIT, "drm_syncobj_wait_ioctl", R, sleepingHandler(drmSyncobjWaitIoctl)),
    drmIoctlDef(DRM_IOCTL_SYNCOBJ_RESET, "drm_syncobj_reset_ioctl", R, sleepingHandler(drmSyncobjResetIoctl)),
    drmIoctlDef(DRM_IOCTL_SYNCOBJ_SIGNAL, "drm_syncobj_signal_ioctl", R, sleepingHandler(drmSyncobjSignalIoctl)),
  ];
}

/** drm_ioctls[], indexed by ioctl number. */
export const CORE_IOCTLS: readonly (AnyDrmIoctlDesc | undefined)[] =
  drmIoctlTableByNr(CORE_IOCTL_ENTRIES);

/** Every core entry, in number order (for tests and the docs). */
export const CORE_IOCTL_LIST: readonly AnyDrmIoctlDesc[] = CORE_IOCTL_ENTRIES;
