/**
 * The ioctl gate and dispatch. The unplug checkpoint comes first in drm_ioctl(), before the
 * ioctl type (ENOTTY) and number (EINVAL) are looked at (R38), and again in drm_ioctl_kernel()
 * before the permission checks (R39); both checkpoints are drmIoctlUnplugGate(). There is no
 * per-ioctl allow-list after unplug.
 *
 * Numbers from DRM_COMMAND_BASE to DRM_COMMAND_END go to the driver's own table, the others to
 * the core table. The argument is copied in as Linux copies it: the handler gets a zero-filled
 * struct of its ioctl with the caller's inputs in it. A caller that used the table entry's own
 * definition has its fields copied directly; any other request with the same number (another
 * size, another driver's ioctl, a bare number) goes through the bytes, as far as both
 * directions allow (in_size, out_size).
 *
 * @see drm_ioctl(), drm_ioctl_kernel(), drm_ioctl_permit() in drivers/gpu/drm/drm_ioctl.c
 */
import type { KFile } from "../base/mod.js";
import { lookupStep, type StepYield, type Task } from "../kernel/mod.js";
import {
  DRM_COMMAND_BASE,
  DRM_COMMAND_END,
  DRM_IOCTL_BASE,
  fail,
  fieldValue,
  iocCopiesIn,
  iocCopiesOut,
  iocNr,
  iocSize,
  iocType,
  ok,
  structFromBytes,
  structToBytes,
  type AnyIoctlDef,
  type ErrnoName,
  type IoctlFields,
  type IoctlRequest,
  type SysResult,
} from "../uapi/mod.js";
import { drmIsCurrentMaster } from "./auth.js";
import type { DrmDevice } from "./device.js";
import { drmDevIsUnplugged } from "./device.js";
import type { DrmDriver } from "./drm_driver.js";
import { drmFileOf, type DrmFile } from "./file.js";
import { CORE_IOCTLS } from "./ioctl_core.js";
import { kmsFakesAfterUnplug } from "./kms_unplug.js";
import {
  DRM_AUTH,
  DRM_MASTER,
  DRM_RENDER_ALLOW,
  DRM_ROOT_ONLY,
  type AnyDrmIoctlDesc,
  type IoctlFootprint,
} from "./ioctl_desc.js";

const GONE: SysResult<never> = Object.freeze(fail("ENODEV"));

/**
 * The unplug checkpoint, at both places Linux has it (drm_ioctl, R38; drm_ioctl_kernel, R39):
 * ENODEV for ioctl `cmd` once the device is unplugged, null while it is not. Under a profile
 * that fakes KMS after unplug (uapi-doc, D3), KMS ioctls pass on to their handlers.
 * @see drm_dev_is_unplugged()
 */
export function drmIoctlUnplugGate(dev: DrmDevice, cmd: number): SysResult<never> | null {
  return drmDevIsUnplugged(dev) && !kmsIoctlPassesUnplug(dev, cmd) ? GONE : null;
}

/**
 * Whether ioctl `cmd` on the unplugged `dev` goes on to its handler: a table entry marked
 * `kms` under a profile that fakes KMS after unplug.
 */
function kmsIoctlPassesUnplug(dev: DrmDevice, cmd: number): boolean {
  if (iocType(cmd) !== DRM_IOCTL_BASE) return false;
  return drmIoctlLookup(dev.driver, iocNr(cmd))?.kms === true && kmsFakesAfterUnplug(dev);
}

/** @see drm_ioctl_permit() */
export function drmIoctlPermit(flags: number, file: DrmFile): ErrnoName | null {
  if ((flags & DRM_ROOT_ONLY) !== 0) return "EACCES"; // model processes are not CAP_SYS_ADMIN
  if ((flags & DRM_AUTH) !== 0 && !file.isRenderClient && !file.authenticated) return "EACCES";
  if ((flags & DRM_MASTER) !== 0 && !drmIsCurrentMaster(file)) return "EACCES";
  if ((flags & DRM_RENDER_ALLOW) === 0 && file.isRenderClient) return "EACCES";
  return null;
}

/** The entry for number `nr`: the driver's table in the driver range, else the core table. */
export function drmIoctlLookup(driver: DrmDriver, nr: number): AnyDrmIoctlDesc | undefined {
  if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END) return driver.ioctls?.[nr - DRM_COMMAND_BASE];
  return CORE_IOCTLS[nr];
}

/**
 * The handler's struct with the caller's inputs in it; the rest zero. On the hot path nothing
 * is allocated: a caller that gives no input gets the shared zero-filled struct, and one that
 * gives every input, each already in the model's form, gets its own object back.
 */
function copyIn(def: AnyIoctlDef, arg: IoctlFields): IoctlFields {
  const fields = def.inFieldDescs;
  let given = 0;
  let asIs = true;
  for (const name in arg) {
    const f = fields[name];
    const v = arg[name]!;
    if (f === undefined || fieldValue(f, v) !== v) {
      asIs = false;
      break;
    }
    given++;
  }
  if (asIs)
    return given === 0
      ? def.zeroIn
      : given === def.inFields.length
        ? arg
        : { ...def.zeroIn, ...arg };
  const kdata: Record<string, IoctlFields[string]> = { ...def.zeroIn };
  for (const name in arg) {
    const f = fields[name];
    if (f !== undefined) kdata[name] = fieldValue(f, arg[name]!); // other names: never read
  }
  return kdata;
}

/** A request other than the entry's own definition: its bytes, as much as both directions allow. */
function userBytes(
  request: IoctlRequest,
  cmd: number,
  desc: AnyDrmIoctlDesc,
  arg: IoctlFields,
): Uint8Array {
  const inSize = iocCopiesIn(cmd) && iocCopiesIn(desc.def.cmd) ? iocSize(cmd) : 0;
  return typeof request === "number"
    ? new Uint8Array(inSize)
    : structToBytes(request.struct, arg, inSize);
}

/** What a caller with a foreign request reads back: its outputs, from the bytes written. */
function foreignResult(
  request: IoctlRequest,
  cmd: number,
  desc: AnyDrmIoctlDesc,
  kbytes: Uint8Array,
  out: IoctlFields,
): IoctlFields {
  if (typeof request === "number") return {};
  const outSize = iocCopiesOut(cmd) && iocCopiesOut(desc.def.cmd) ? iocSize(cmd) : 0;
  const written = structToBytes(desc.def.struct, out, outSize, kbytes);
  return structFromBytes(request.struct, written, request.outFields);
}

/**
 * The file's ioctl op. Its first step, drm_ioctl (the struct file, the drm_file and the device
 * read, drm_unplug_srcu entered), has fdget() folded in: the ioctl system call yields it
 * (ioctlFirstStep(); drmStubOpen() set it), so the code here starts inside it.
 * @see drm_ioctl()
 */
export function* drmIoctl(
  kfile: KFile,
  request: IoctlRequest,
  arg: IoctlFields,
): Task<SysResult<IoctlFields>> {
  const file = drmFileOf(kfile);
  const dev = file.dev;
  const cmd = typeof request === "number" ? request >>> 0 : request.cmd;
  const gone = drmIoctlUnplugGate(dev, cmd);
  if (gone !== null) return gone;
  if (iocType(cmd) !== DRM_IOCTL_BASE) return fail("ENOTTY");
  const desc = drmIoctlLookup(dev.driver, iocNr(cmd));
  if (desc === undefined) return fail("EINVAL");
  if (request !== desc.def) return yield* drmIoctlForeign(file, request, cmd, desc, arg);
  // drm_ioctl_kernel(), written out here rather than called: this is the hot path, and a
  // generator less per call is about a tenth of its time.
  const karg = copyIn(desc.def, arg);
  yield drmIoctlKernelStep(file, desc, karg);
  const refused = drmIoctlKernelChecks(file, desc);
  if (refused !== null) return refused;
  const handler = desc.handler;
  return handler.sleeps
    ? yield* drmIoctlSleepingHandler(file, desc.fn, handler.run, karg)
    : drmIoctlHandler(file, desc.fn, handler.run, karg);
}

/** A request other than the entry's own definition: through the bytes, both ways. */
function* drmIoctlForeign(
  file: DrmFile,
  request: IoctlRequest,
  cmd: number,
  desc: AnyDrmIoctlDesc,
  arg: IoctlFields,
): Task<SysResult<IoctlFields>> {
  const kbytes = userBytes(request, cmd, desc, arg);
  const r = yield* drmIoctlKernel(
    file,
    desc,
    structFromBytes(desc.def.struct, kbytes, desc.def.inFields),
  );
  return r.ok ? ok(foreignResult(request, cmd, desc, kbytes, r.value)) : r;
}

/**
 * drm_ioctl_kernel's step when the handler declares more than the file and the device: a
 * lookup step, its footprint computed in the state the step runs in (the master of the file
 * then, the object a handle names then).
 */
function kernelStep(
  file: DrmFile,
  arg: IoctlFields,
  footprint: (file: DrmFile, arg: never) => IoctlFootprint,
): StepYield {
  return lookupStep("drm_ioctl_kernel", () => {
    const fp = footprint(file, arg as never);
    const dev = file.dev;
    return { reads: [dev, ...fp.reads], writes: [file, dev.unplugSrcu, ...fp.writes] };
  });
}

/**
 * drm_ioctl_kernel's step: step("drm_ioctl_kernel", [dev], [file, drm_unplug_srcu]), made once
 * per file, unless the handler declares more.
 */
function drmIoctlKernelStep(file: DrmFile, desc: AnyDrmIoctlDesc, arg: IoctlFields): StepYield {
  const footprint = desc.footprint;
  if (footprint === undefined) return file.ioctlKernelStep;
  return kernelStep(file, arg, footprint);
}

/** The second checkpoint, then the permission check: the refusal, or null to go on. */
function drmIoctlKernelChecks(file: DrmFile, desc: AnyDrmIoctlDesc): SysResult<never> | null {
  // No drm_file_update_pid(): only the process that opened a file uses it in the model.
  const gone = drmIoctlUnplugGate(file.dev, desc.def.cmd);
  if (gone !== null) return gone;
  const denied = drmIoctlPermit(desc.flags, file);
  return denied === null ? null : fail(denied);
}

type SyncRun = Extract<AnyDrmIoctlDesc["handler"], { readonly sleeps: false }>["run"];
type SleepingRun = Extract<AnyDrmIoctlDesc["handler"], { readonly sleeps: true }>["run"];

/**
 * A handler that never sleeps, in its frame `fn` (pushed by hand: this is the hot path). The
 * table erases each entry's types; `arg` is the entry's own struct (drmIoctl() made it).
 */
function drmIoctlHandler(
  file: DrmFile,
  fn: string,
  run: SyncRun,
  arg: IoctlFields,
): SysResult<IoctlFields> {
  const sim = file.dev.sim;
  const task = sim.pushFrame(fn);
  try {
    return run(file, arg as never);
  } finally {
    sim.popFrame(task, fn);
  }
}

/** A handler that may sleep, in its frame `fn` for as long as it runs. */
function* drmIoctlSleepingHandler(
  file: DrmFile,
  fn: string,
  run: SleepingRun,
  arg: IoctlFields,
): Task<SysResult<IoctlFields>> {
  const sim = file.dev.sim;
  const task = sim.pushFrame(fn);
  try {
    return yield* run(file, arg as never);
  } finally {
    sim.popFrame(task, fn);
  }
}

/**
 * The second checkpoint, the permission check, then the handler in its own frame.
 * @see drm_ioctl_kernel()
 */
export function* drmIoctlKernel(
  file: DrmFile,
  desc: AnyDrmIoctlDesc,
  arg: IoctlFields,
): Task<SysResult<IoctlFields>> {
  yield drmIoctlKernelStep(file, desc, arg);
  const refused = drmIoctlKernelChecks(file, desc);
  if (refused !== null) return refused;
  const handler = desc.handler;
  return handler.sleeps
    ? yield* drmIoctlSleepingHandler(file, desc.fn, handler.run, arg)
    : drmIoctlHandler(file, desc.fn, handler.run, arg);
}
