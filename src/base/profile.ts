/**
 * Which kernel the model behaves like: `mainline` follows the code of a given version;
 * `uapi-doc` follows Documentation/gpu/drm-uapi.rst where it and the code disagree and the
 * model implements the documented side (D1, D2 today). What each profile and version changes is listed, by name, in variants.ts: the model asks
 * variant() there and never tests a profile name or a version itself.
 */
export type ProfileName = "mainline" | "uapi-doc";

export const PROFILE_NAMES: readonly ProfileName[] = ["mainline", "uapi-doc"];

/** Kernel versions the spec covers, oldest first. The newest is the default. */
export const KERNEL_VERSIONS = ["6.8", "6.11", "6.12", "6.14", "6.17", "6.18", "7.0", "7.1"] as const;
export type KernelVersion = (typeof KERNEL_VERSIONS)[number];
export const DEFAULT_KERNEL_VERSION: KernelVersion = "7.1";

export interface KernelProfile {
  readonly name: ProfileName;
  readonly version: KernelVersion;
}

export function isKernelVersion(v: string): v is KernelVersion {
  return (KERNEL_VERSIONS as readonly string[]).includes(v);
}

/** Compares dotted versions: negative if a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
