/**
 * Ioctl table entries (struct drm_ioctl_desc) and their permission flags: the core table
 * (ioctl_core.ts) and every driver's own table (DrmDriver.ioctls) are made of these.
 *
 * An entry names its uapi definition (number and argument struct), the C function that handles
 * it (the frame of the simulated backtrace, written out as Linux names it), the permission
 * flags, and a typed handler: the handler receives the ioctl's inputs as its struct's fields
 * (a zero-filled struct with the caller's inputs copied in) and returns its outputs.
 *
 * @see include/drm/drm_ioctl.h
 */
import { assert, type KStruct, type Task } from "../kernel/mod.js";
import {
  DRM_COMMAND_BASE,
  DRM_COMMAND_END,
  type AnyIoctlDef,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import type { DrmFile } from "./file.js";

export const DRM_AUTH = 0x1;
export const DRM_MASTER = 0x2;
export const DRM_ROOT_ONLY = 0x4;
export const DRM_RENDER_ALLOW = 0x20;

/** A handler that may sleep (a scheduling point), run as a sub-task. */
export type IoctlHandler<Def extends AnyIoctlDef> = (
  file: DrmFile,
  arg: IoctlIn<Def>,
) => Task<SysResult<IoctlOutOf<Def>>>;

/** A handler that never sleeps: it is called directly, without a generator (the hot path). */
export type IoctlSyncHandler<Def extends AnyIoctlDef> = (
  file: DrmFile,
  arg: IoctlIn<Def>,
) => SysResult<IoctlOutOf<Def>>;

/** Objects a handler touches beyond the file and device that drm_ioctl_kernel's step names. */
export interface IoctlFootprint {
  readonly reads: readonly KStruct[];
  readonly writes: readonly KStruct[];
}

export interface DrmIoctlDesc<Def extends AnyIoctlDef = AnyIoctlDef> {
  readonly def: Def;
  /** The kernel function that handles it, for the simulated backtrace (drm_version, ...). */
  readonly fn: string;
  readonly flags: number;
  /** A handler that may sleep, or one that never does. */
  readonly handler:
    | { readonly sleeps: true; readonly run: IoctlHandler<Def> }
    | { readonly sleeps: false; readonly run: IoctlSyncHandler<Def> };
  /**
   * What the handler reads and writes besides the calling file and its device (SET_MASTER
   * writes the device's master, AUTH_MAGIC another file, MAP_DUMB the GEM offset nodes),
   * computed when drm_ioctl_kernel's step runs: that step declares these too. Without it, the
   * step names the file and device only (one fixed step per file, as the hot path wants). A
   * handler that sleeps declares what it touches after each of its own yields itself.
   */
  readonly footprint?: (file: DrmFile, arg: IoctlIn<Def>) => IoctlFootprint;
  /**
   * A modesetting ioctl (no Linux flag: the model's profile switch): under a profile whose
   * KMS fakes success after unplug (uapi-doc, D3), the unplug gate lets it through to its
   * handler; mainline refuses it with ENODEV like any other. @see kmsFakesAfterUnplug()
   */
  readonly kms?: true;
}

/** An entry with its argument types erased, as tables hold it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDrmIoctlDesc = DrmIoctlDesc<any>;

/**
 * A table entry for `def`, handled by the C function `fn` with permission `flags`; the types
 * make the handler take `def`'s inputs and return its outputs.
 * @see DRM_IOCTL_DEF() in drivers/gpu/drm/drm_ioctl.c, DRM_IOCTL_DEF_DRV() in drm_ioctl.h
 */
export function drmIoctlDef<Def extends AnyIoctlDef>(
  def: Def,
  fn: string,
  flags: number,
  handler: DrmIoctlDesc<Def>["handler"],
  footprint?: DrmIoctlDesc<Def>["footprint"],
): DrmIoctlDesc<Def> {
  return footprint === undefined
    ? { def, fn, flags, handler }
    : { def, fn, flags, handler, footprint };
}

/** drmIoctlDef() for a modesetting ioctl: the entry is marked `kms` (see DrmIoctlDesc.kms). */
export function drmKmsIoctlDef<Def extends AnyIoctlDef>(
  def: Def,
  fn: string,
  flags: number,
  handler: DrmIoctlDesc<Def>["handler"],
  footprint?: DrmIoctlDesc<Def>["footprint"],
): DrmIoctlDesc<Def> {
  return { ...drmIoctlDef(def, fn, flags, handler, footprint), kms: true };
}

/** A handler that never sleeps. */
export function syncHandler<Def extends AnyIoctlDef>(
  run: IoctlSyncHandler<Def>,
): DrmIoctlDesc<Def>["handler"] {
  return { sleeps: false, run };
}

/** A handler that may sleep. */
export function sleepingHandler<Def extends AnyIoctlDef>(
  run: IoctlHandler<Def>,
): DrmIoctlDesc<Def>["handler"] {
  return { sleeps: true, run };
}

/** A table with each entry at its number minus `base` (driver entries: in the driver range). */
function ioctlTable(
  entries: readonly AnyDrmIoctlDesc[],
  base: number,
  what: string,
): readonly (AnyDrmIoctlDesc | undefined)[] {
  const table: (AnyDrmIoctlDesc | undefined)[] = [];
  const driver = base === DRM_COMMAND_BASE;
  for (const e of entries) {
    const nr = e.def.nr as number;
    const inDriverRange = nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END;
    assert(inDriverRange === driver, `Cannot build ${what}: ${e.def.name} has a number outside it`);
    assert(
      table[nr - base] === undefined,
      `Cannot build ${what}: two entries for ${e.def.name}'s number`,
    );
    table[nr - base] = e;
  }
  return table;
}

/**
 * A core table indexed by ioctl number, as drm_ioctls[] is (numbers without an entry are
 * holes: drm_ioctl() fails them with EINVAL).
 * @see DRM_IOCTL_DEF() in drivers/gpu/drm/drm_ioctl.c
 */
export function drmIoctlTableByNr(
  entries: readonly AnyDrmIoctlDesc[],
): readonly (AnyDrmIoctlDesc | undefined)[] {
  return ioctlTable(entries, 0, "the core ioctl table");
}

/**
 * A driver's table, indexed by number minus DRM_COMMAND_BASE, as DRM_IOCTL_DEF_DRV() places
 * the entries of drm_driver.ioctls.
 * @see DRM_IOCTL_DEF_DRV() in include/drm/drm_ioctl.h
 */
export function drmDriverIoctlTable(
  entries: readonly AnyDrmIoctlDesc[],
): readonly (AnyDrmIoctlDesc | undefined)[] {
  return ioctlTable(entries, DRM_COMMAND_BASE, "a driver ioctl table");
}
