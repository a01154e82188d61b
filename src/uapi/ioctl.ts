/**
 * ioctl numbers, built the way include/uapi/asm-generic/ioctl.h builds them
 * (direction << 30 | size << 16 | type << 8 | nr), and the definition of one ioctl: its
 * number, its argument struct, and which of the struct's fields it reads (inputs) and writes
 * (outputs). The DRM core's are in drm_ioctls.ts and drm_mode_ioctls.ts, drivers' in their own
 * uapi files (vtest_drm.ts); ioctl_table.ts finds them by name and number.
 *
 * @see include/uapi/asm-generic/ioctl.h; DRM_IOWR() and friends in include/uapi/drm/drm.h
 */
import {
  cstruct,
  zeroValue,
  type AnyFieldValue,
  type FieldDesc,
  type FieldDescs,
  type FieldValue,
  type StructDesc,
} from "./ioctl_struct.js";

export const DRM_IOCTL_BASE = 0x64; // 'd'
/** Driver-private ioctl numbers: DRM_COMMAND_BASE <= nr < DRM_COMMAND_END. */
export const DRM_COMMAND_BASE = 0x40;
export const DRM_COMMAND_END = 0xa0;

export const IOC_NONE = 0;
/** Userspace writes the argument: the kernel copies it in (_IOC_WRITE, IOC_IN). */
export const IOC_WRITE = 1;
/** Userspace reads the argument: the kernel copies it out (_IOC_READ, IOC_OUT). */
export const IOC_READ = 2;

export function ioc(dir: number, type: number, nr: number, size: number): number {
  return ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
}

export function iocDir(cmd: number): number {
  return (cmd >>> 30) & 0x3;
}

export function iocNr(cmd: number): number {
  return cmd & 0xff;
}

export function iocType(cmd: number): number {
  return (cmd >>> 8) & 0xff;
}

export function iocSize(cmd: number): number {
  return (cmd >>> 16) & 0x3fff;
}

export type IocDirName = "IO" | "IOR" | "IOW" | "IOWR";
const DIR: Record<IocDirName, number> = {
  IO: IOC_NONE,
  IOR: IOC_READ,
  IOW: IOC_WRITE,
  IOWR: IOC_READ | IOC_WRITE,
};

/** Whether the kernel reads a field (in), writes it (out), or both (inout). */
export type FieldDir = "in" | "out" | "inout";
export type FieldDirs<F extends FieldDescs> = { readonly [K in keyof F]: FieldDir };

type InKeys<F extends FieldDescs, D extends FieldDirs<F>> = {
  [K in keyof F]: D[K] extends "out" ? never : K;
}[keyof F];
type OutKeys<F extends FieldDescs, D extends FieldDirs<F>> = {
  [K in keyof F]: D[K] extends "in" ? never : K;
}[keyof F];

/** One ioctl: number, argument struct, and the direction of each field. */
export interface IoctlDef<
  F extends FieldDescs = FieldDescs,
  D extends FieldDirs<F> = FieldDirs<F>,
> {
  readonly name: string;
  readonly nr: number;
  readonly dir: IocDirName;
  /** The argument struct; an _IO ioctl has the empty struct `void`. */
  readonly struct: StructDesc<F>;
  readonly fieldDirs: D;
  readonly sizeBytes: number;
  readonly cmd: number;
  /** Fields the kernel reads, in declaration order. */
  readonly inFields: readonly (keyof F & string)[];
  /** Fields the kernel writes, in declaration order: the result of the call. */
  readonly outFields: readonly (keyof F & string)[];
  /** Every input of a zero-filled struct: what the kernel reads for an input left out. */
  readonly zeroIn: IoctlIn<IoctlDef<F, D>>;
  /** The descriptions of the inputs only, by name (for copying a caller's inputs in). */
  readonly inFieldDescs: Readonly<Record<string, FieldDesc>>;
}

/** The inputs of an ioctl, typed: what its handler receives. */
export type IoctlIn<Def> =
  Def extends IoctlDef<infer F, infer D>
    ? { readonly [K in InKeys<F, D>]: FieldValue<F[K]> }
    : never;
/** The outputs of an ioctl, typed: what its handler returns and the caller gets. */
export type IoctlOutOf<Def> =
  Def extends IoctlDef<infer F, infer D>
    ? { readonly [K in OutKeys<F, D>]: FieldValue<F[K]> }
    : never;

/** Any ioctl, as tables and untyped callers hold it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyIoctlDef = IoctlDef<any, any>;

/** An ioctl's inputs or outputs by field name, as untyped code (scenarios, the trace) has them. */
export type IoctlFields = Readonly<Record<string, AnyFieldValue>>;

/** The struct of an _IO ioctl, which takes no argument. */
export const VOID_STRUCT = cstruct("void", {});

/**
 * Defines ioctl `name`: DRM_IO*(nr, struct) as the uapi header does, with the struct's size in
 * the number (`sizeBytes` is the ABI's size, which the struct description must match: a test
 * checks every definition), and the direction of each of its fields. `type` is the ioctl's
 * magic, 'd' for DRM (another subsystem's, e.g. sync_file's '>', for its own ioctls).
 */
export function ioctlDef<const F extends FieldDescs, const D extends FieldDirs<F>>(
  name: string,
  dir: IocDirName,
  nr: number,
  struct: StructDesc<F>,
  fieldDirs: D,
  sizeBytes = struct.sizeBytes,
  type = DRM_IOCTL_BASE,
): IoctlDef<F, D> {
  const names = Object.keys(struct.fields) as (keyof F & string)[];
  const inFields = names.filter((k) => fieldDirs[k] !== "out");
  const outFields = names.filter((k) => fieldDirs[k] !== "in");
  const zeroIn = Object.freeze(
    Object.fromEntries(inFields.map((k) => [k, zeroValue(struct.fields[k]!)])),
  );
  const inFieldDescs = Object.freeze(
    Object.fromEntries(inFields.map((k) => [k, struct.fields[k]!])),
  );
  const cmd = ioc(DIR[dir], type, nr, sizeBytes);
  return {
    name,
    nr,
    dir,
    struct,
    fieldDirs,
    sizeBytes,
    cmd,
    inFields,
    outFields,
    zeroIn: zeroIn as IoctlDef<F, D>["zeroIn"],
    inFieldDescs,
  };
}

/** DRM_IO(nr): an ioctl without argument. */
export function ioctlDefNoArg(
  name: string,
  nr: number,
): IoctlDef<Record<never, never>, Record<never, never>> {
  return ioctlDef(name, "IO", nr, VOID_STRUCT, {});
}

/** Whether the ioctl's direction bits let the kernel copy the argument in (IOC_IN). */
export function iocCopiesIn(cmd: number): boolean {
  return (iocDir(cmd) & IOC_WRITE) !== 0;
}

/** Whether the ioctl's direction bits let the kernel copy the argument out (IOC_OUT). */
export function iocCopiesOut(cmd: number): boolean {
  return (iocDir(cmd) & IOC_READ) !== 0;
}
