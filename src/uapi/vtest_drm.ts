/**
 * The uapi of the model's test driver `vtest` (src/drivers/vtest.ts), written the way a
 * driver's include/uapi/drm/<driver>_drm.h is: its private ioctl numbers start at
 * DRM_COMMAND_BASE and its argument structs are plain __u32/__u64 fields.
 *
 * DRM_IOCTL_VTEST_HOLD_ENTER holds drm_dev_enter() on the file's device for `duration_ns`
 * nanoseconds, then drm_dev_exit(): a reader that drm_dev_unplug() of any DRM device must
 * wait for (R11, R96), for scenarios that assert that order.
 *
 * DRM_IOCTL_VTEST_JOB runs a job on the device's one engine for `duration_ns` nanoseconds: its
 * out-fence (a dma_fence of the device's timeline, with the job's `seqno`) replaces the fence of
 * the syncobj `out_syncobj`, and is signalled when the job is done; if the device goes away
 * first, the driver signals it with -ECANCELED. It bypasses the GPU scheduler.
 *
 * DRM_IOCTL_VTEST_SUBMIT submits a job through the GPU scheduler (src/drm/sched_*.ts) to one of
 * the device's engines: it waits for `in_syncobj`'s fence, then keeps the engine busy for
 * `duration_ns` (forever with VTEST_SUBMIT_HANG, until the scheduler's timeout resets the
 * engine); its finished fence goes into `out_syncobj`. The job holds its `batch` buffer (a GEM
 * handle of the file, 0 for none) until it is freed; with VTEST_SUBMIT_SPIN it is a spinner:
 * it loops over its batch until the batch's first dword reads VTEST_BATCH_END, which a program
 * writes through a CPU mapping of the buffer (IGT's igt_spin_end()).
 *
 * @see include/uapi/drm/vgem_drm.h for a real test driver's uapi of this shape
 */
import { DRM_COMMAND_BASE, ioctlDef } from "./ioctl.js";
import { __u32, __u64, cstruct } from "./ioctl_struct.js";

export const DRM_VTEST_HOLD_ENTER = 0x00;
export const DRM_VTEST_JOB = 0x01;
export const DRM_VTEST_SUBMIT = 0x02;

export const drm_vtest_hold_enter = cstruct("drm_vtest_hold_enter", {
  /** How long to stay inside drm_dev_enter(), in nanoseconds. */
  duration_ns: __u64,
});

export const DRM_IOCTL_VTEST_HOLD_ENTER = ioctlDef(
  "DRM_IOCTL_VTEST_HOLD_ENTER",
  "IOW",
  DRM_COMMAND_BASE + DRM_VTEST_HOLD_ENTER,
  drm_vtest_hold_enter,
  { duration_ns: "in" },
  8,
);

export const drm_vtest_job = cstruct("drm_vtest_job", {
  /** How long the job runs, in nanoseconds. */
  duration_ns: __u64,
  /** The syncobj whose fence becomes the job's out-fence. */
  out_syncobj: __u32,
  /** The out-fence's sequence number on the device's timeline. */
  seqno: __u32,
});

export const DRM_IOCTL_VTEST_JOB = ioctlDef(
  "DRM_IOCTL_VTEST_JOB",
  "IOWR",
  DRM_COMMAND_BASE + DRM_VTEST_JOB,
  drm_vtest_job,
  { duration_ns: "in", out_syncobj: "in", seqno: "out" },
  16,
);

/** The device's engines (rings), each with its own scheduler: submit's `engine` is below. */
export const VTEST_ENGINE_COUNT = 2;
/** Fault injection: the job never completes on its own; the scheduler's timeout ends it. */
export const VTEST_SUBMIT_HANG = 0x1;
/**
 * A spinner: the job runs until the first dword of its batch reads VTEST_BATCH_END (its
 * `duration_ns` is not used); like any job, the scheduler's timeout ends it if it runs longer.
 */
export const VTEST_SUBMIT_SPIN = 0x2;
export const VTEST_SUBMIT_FLAGS = VTEST_SUBMIT_HANG | VTEST_SUBMIT_SPIN;
/**
 * The dword that ends a spinner's batch. It is a dword of all ones so that a CPU write of one
 * repeated byte (a scenario's `mem-write` with `fill: 0xff`) can end it.
 */
export const VTEST_BATCH_END = 0xffffffff;

export const drm_vtest_submit = cstruct("drm_vtest_submit", {
  /** How long the job keeps its engine busy, in nanoseconds. */
  duration_ns: __u64,
  /** The engine (ring) to run on, below VTEST_ENGINE_COUNT. */
  engine: __u32,
  /** VTEST_SUBMIT_HANG or VTEST_SUBMIT_SPIN, or 0. */
  flags: __u32,
  /** A syncobj whose fence the job waits for before it runs; 0 for none. */
  in_syncobj: __u32,
  /** A syncobj that receives the job's finished fence; 0 for none. */
  out_syncobj: __u32,
  /** The finished fence's sequence number on this file's timeline of the engine. */
  seqno: __u32,
  /** The GEM handle of the job's batch buffer; 0 for none (VTEST_SUBMIT_SPIN needs one). */
  batch: __u32,
});

export const DRM_IOCTL_VTEST_SUBMIT = ioctlDef(
  "DRM_IOCTL_VTEST_SUBMIT",
  "IOWR",
  DRM_COMMAND_BASE + DRM_VTEST_SUBMIT,
  drm_vtest_submit,
  {
    duration_ns: "in",
    engine: "in",
    flags: "in",
    in_syncobj: "in",
    out_syncobj: "in",
    seqno: "out",
    batch: "in",
  },
  32,
);

/** Every ioctl of the vtest uapi. */
export const VTEST_IOCTLS = [
  DRM_IOCTL_VTEST_HOLD_ENTER,
  DRM_IOCTL_VTEST_JOB,
  DRM_IOCTL_VTEST_SUBMIT,
] as const;
