/**
 * amdgpu-tdr-noenter: a deliberately broken sibling of amdgpu, for a negative control of R60
 * (docs/requirements.md#r60). Its job-timeout handler does not ask drm_dev_enter() whether
 * the device is still there: a hang that times out while the device is being removed (after
 * drm_dev_unplug(), before remove() has ended the jobs) is recovered as on a live device. The
 * ring reset writes the engine's reset register of hardware that is gone, which the check of
 * hardware accesses reports (`hardware-after-unplug`); the hung job's fence gets -ETIME
 * instead of the -ECANCELED of the removal, and a `WEDGED=none` event is sent for a device
 * that no longer exists: the handler lacks the check amdgpu gained with its hot-unplug
 * support (DRM_GPU_SCHED_STAT_ENODEV, no recovery). Everything else is amdgpu's, the DRM
 * driver (its name in DRM_IOCTL_VERSION) included: only the PCI driver's name differs.
 *
 * @see amdgpu_job_timedout() in drivers/gpu/drm/amd/amdgpu/amdgpu_job.c
 */
import { AMDGPU_PCI_ID, amdgpuProbe, amdgpuRemove } from "./amdgpu.js";
import { amdgpuJobTimedout } from "./amdgpu_reset.js";
import { displayPciDriver } from "./display_pipe.js";

export const amdgpuTdrNoenterPciDriver = displayPciDriver(
  "amdgpu-tdr-noenter",
  [AMDGPU_PCI_ID],
  // BUG (on purpose): the timeout handler runs without its drm_dev_enter() check.
  (pdev) => amdgpuProbe(pdev, (engine, job) => amdgpuJobTimedout(engine, job, false)),
  amdgpuRemove,
);
