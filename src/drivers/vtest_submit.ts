/**
 * DRM_IOCTL_VTEST_SUBMIT: a job through the GPU scheduler. Each file has one scheduler entity
 * per engine (made at its first submission there), so a file's jobs on an engine run in the
 * order submitted; the job waits for the in-syncobj's fence, and its finished fence replaces
 * the out-syncobj's. At close the file's entities are destroyed: the flush waits for their
 * queued jobs to be taken, and whatever is still queued ends with -ESRCH (R58).
 *
 * The job takes a reference on its batch buffer (`batch`, a GEM handle), which free_job drops
 * (vtest_batch.ts); a spinner (VTEST_SUBMIT_SPIN) needs one.
 *
 * Errors: EINVAL for an engine out of range, an unknown flag, both HANG and SPIN, SPIN without
 * a batch, a duration over an hour, or an in-syncobj without a fence; ENOENT for a syncobj or
 * batch handle the file does not have; ENODEV once the device is unplugged.
 *
 * @see v3d_submit_cl_ioctl(), panfrost_ioctl_submit() for drivers that submit through
 *      drm_sched with syncobjs in and out; drm_sched_job_add_syncobj_dependency()
 */
import { currentProcess } from "../base/mod.js";
import { KObject, lookupStep, step, ticksFromNsCeil, type Task } from "../kernel/mod.js";
import {
  fail,
  ok,
  VTEST_SUBMIT_FLAGS,
  VTEST_SUBMIT_HANG,
  VTEST_SUBMIT_SPIN,
  type DRM_IOCTL_VTEST_SUBMIT,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import {
  drmDevEnter,
  drmDevExit,
  drmGemObjectGet,
  drmSchedEntityDestroy,
  drmSchedEntityInit,
  drmSchedEntityPushJob,
  drmSchedJobAddDependency,
  drmSchedJobArm,
  drmSchedJobInit,
  drmSyncobjLookup,
  drmSyncobjObjects,
  drmSyncobjReplaceFence,
  type DrmDevice,
  type DrmFile,
  type DrmSchedEntity,
  type DrmSyncobj,
  type GemObject,
} from "../drm/mod.js";
import { vtestEnginesOf } from "./vtest_sched.js";
import type { VtestEngine, VtestJobData } from "./vtest_engine.js";
import { VTEST_DURATION_NS_MAX } from "./vtest_limits.js";

/** A file's driver state (file->driver_priv): its entity on each engine, or null. */
export class VtestFile extends KObject {
  readonly entities: (DrmSchedEntity | null)[] = [];
  constructor(file: DrmFile) {
    super(file.dev.sim, file.dev.sim.alloc("vtest_file", { label: `vtest_file (${file.mem.label})`, owner: file }));
  }
}

const PRIV = Symbol("vtest file");
type WithPriv = DrmFile & { [PRIV]?: VtestFile };

function entityOf(file: DrmFile, engine: VtestEngine): DrmSchedEntity {
  const f = file as WithPriv;
  const priv = (f[PRIV] ??= new VtestFile(file));
  const label = `${file.minor.name} pid ${file.kfile.pid} ${engine.name}`;
  return (priv.entities[engine.index] ??= drmSchedEntityInit(engine.sched, label));
}

function badArgs(dev: DrmDevice, arg: IoctlIn<typeof DRM_IOCTL_VTEST_SUBMIT>): boolean {
  const engines = vtestEnginesOf(dev);
  const spin = (arg.flags & VTEST_SUBMIT_SPIN) !== 0;
  return (
    engines === undefined ||
    arg.engine >= engines.length ||
    (arg.flags & ~VTEST_SUBMIT_FLAGS) !== 0 ||
    (spin && (arg.flags & VTEST_SUBMIT_HANG) !== 0) ||
    (spin && arg.batch === 0) ||
    arg.duration_ns > VTEST_DURATION_NS_MAX
  );
}

export function* vtestSubmitIoctl(
  file: DrmFile,
  arg: IoctlIn<typeof DRM_IOCTL_VTEST_SUBMIT>,
): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_VTEST_SUBMIT>>> {
  const dev = file.dev;
  if (badArgs(dev, arg)) return fail("EINVAL");
  const proc = currentProcess(dev.kernel);
  const engine = vtestEnginesOf(dev)![arg.engine]!;
  const sched = engine.sched;
  const lookup = (h: number): DrmSyncobj | undefined =>
    h === 0 ? undefined : drmSyncobjLookup(file, h);
  const batchOf = (): GemObject | undefined =>
    arg.batch === 0 ? undefined : file.handles.get(arg.batch);
  const again = lookupStep("vtest_submit_ioctl", () => {
    const priv = (file as WithPriv)[PRIV];
    const entity = priv?.entities[engine.index] ?? null;
    const own = [...(priv === undefined ? [] : [priv]), ...(entity === null ? [] : [entity])];
    const syncobjs = [lookup(arg.in_syncobj), lookup(arg.out_syncobj)].flatMap(drmSyncobjObjects);
    const batch = batchOf();
    const gem = batch === undefined ? [] : [batch];
    return { reads: [dev], writes: [file, dev.unplugSrcu, sched, ...own, ...syncobjs, ...gem] };
  });
  yield again;
  const inSync = lookup(arg.in_syncobj);
  const outSync = lookup(arg.out_syncobj);
  const batch = batchOf() ?? null;
  if ((arg.in_syncobj !== 0 && inSync === undefined) || (arg.out_syncobj !== 0 && outSync === undefined)) {
    return fail("ENOENT");
  }
  if (arg.batch !== 0 && batch === null) return fail("ENOENT");
  if (inSync !== undefined && inSync.fence === null) return fail("EINVAL");
  const token = drmDevEnter(dev);
  if (token === null) return fail("ENODEV");
  try {
    const data: VtestJobData = {
      ticks: ticksFromNsCeil(arg.duration_ns),
      hang: (arg.flags & VTEST_SUBMIT_HANG) !== 0,
      spin: (arg.flags & VTEST_SUBMIT_SPIN) !== 0,
      batch,
      submitter: { pid: proc.pid, comm: proc.comm },
    };
    if (batch !== null) drmGemObjectGet(batch); // the job's, until free_job
    const job = drmSchedJobInit(entityOf(file, engine), 1, data);
    if (inSync?.fence != null) drmSchedJobAddDependency(job, inSync.fence);
    const sFence = drmSchedJobArm(job);
    const seqno = Number(sFence.finished.seqno);
    const finished = sFence.finished;
    // A job pushed to a killed entity is freed at once; its free_job may end this step.
    if (yield* drmSchedEntityPushJob(job)) yield again;
    if (outSync !== undefined) yield* drmSyncobjReplaceFence(outSync, finished);
    return ok({ seqno });
  } finally {
    drmDevExit(dev, token);
  }
}

/** postclose: the file's entities are destroyed, then its state freed. */
export function* vtestPostclose(dev: DrmDevice, file: DrmFile): Task<void> {
  const priv = (file as WithPriv)[PRIV];
  if (priv === undefined) return;
  yield step("vtest_postclose", [], [file, priv]);
  const entities = priv.entities.filter((e) => e !== null);
  for (const entity of entities) yield* drmSchedEntityDestroy(entity);
  yield step("vtest_postclose", [], [file, priv]);
  delete (file as WithPriv)[PRIV];
  dev.sim.free(priv.mem, "vtest_postclose");
}
