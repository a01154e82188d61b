/**
 * Kernel variants: every place where the model behaves differently by kernel profile or
 * version, as one named switch. The model asks `variant(profile, "openGoneErrno")` and never
 * tests a profile name or a version itself, so this table is the complete list of what
 * `--profile` and `--kernel` change (`vdrm variants` prints it; the table in
 * docs/ARCHITECTURE.md is generated from it, and a test checks that the two agree).
 *
 * Each switch names the requirements and discrepancies of docs/requirements.md
 * it implements (R.. for a requirement, D.. for a place where the documentation and the code
 * disagree), and gives its value per profile: one value, or a list of (first version, value)
 * pairs, oldest first, starting at the oldest version the model covers.
 *
 * To add one: add an entry here, call variant() where the behaviour differs, and paste the
 * output of `vdrm variants --markdown` into docs/ARCHITECTURE.md.
 */
import type { ErrnoName } from "../uapi/mod.js";
import { compareVersions, KERNEL_VERSIONS, PROFILE_NAMES } from "./profile.js";
import type { KernelProfile, KernelVersion, ProfileName } from "./profile.js";

/** A value for every version of a profile: one value, or values from a first version on. */
export type ByVersion<T> = T | readonly (readonly [since: KernelVersion, value: T])[];

export interface VariantDef<T> {
  /** Requirement and discrepancy ids of docs/requirements.md, e.g. ["R35", "R37", "D1"]. */
  readonly ids: readonly string[];
  /** One line: what the switch decides. */
  readonly summary: string;
  readonly values: { readonly [P in ProfileName]: ByVersion<T> };
}

function defineVariant<T extends string | boolean>(def: VariantDef<T>): VariantDef<T> {
  return def;
}

export const VARIANTS = {
  openGoneErrno: defineVariant<ErrnoName>({
    ids: ["R35", "R37", "D1"],
    summary: "errno of open() on a node whose device is gone (minor unpublished or unplugged)",
    values: { mainline: "ENODEV", "uapi-doc": "ENXIO" },
  }),
  kmsAfterUnplug: defineVariant<"ENODEV" | "fake">({
    ids: ["R40", "R41", "R42", "R64", "D3", "D4"],
    summary:
      "KMS ioctls once the device is unplugged: ENODEV, or faked success (commits, TEST_ONLY " +
      "too, succeed and send the events they ask for; connectors read disconnected)",
    values: { mainline: "ENODEV", "uapi-doc": "fake" },
  }),
  minorAllocation: defineVariant<"lowest-free" | "cyclic">({
    ids: ["R30", "R32", "R33", "D2"],
    summary:
      "how a new minor is chosen: the lowest free index, or the one after the last (PID-like)",
    values: { mainline: "lowest-free", "uapi-doc": "cyclic" },
  }),
  minorExtendedRange: defineVariant<boolean>({
    ids: ["R30"],
    summary: "primary and render minors fall back to the range 192..2^20-1 when their 64 are taken",
    values: {
      mainline: [
        ["6.8", false],
        ["6.12", true],
      ],
      "uapi-doc": false,
    },
  }),
  mmapAfterUnplug: defineVariant<"ENODEV" | "maps">({
    ids: ["R46", "R53", "D6"],
    summary:
      "a new mmap() of a DRM fd once its device is unplugged: fails, or maps (its pages fault " +
      "as the memory manager's do after unplug)",
    values: { mainline: "ENODEV", "uapi-doc": "maps" },
  }),
  primeImportGoneExporter: defineVariant<"import" | "ENODEV">({
    ids: ["R94"],
    summary:
      "PRIME import of a dma-buf whose exporting device is gone: imported as before, or " +
      "ENODEV (the uAPI document allows both; uapi-doc takes the failure)",
    values: { mainline: "import", "uapi-doc": "ENODEV" },
  }),
  unplugFenceError: defineVariant<ErrnoName>({
    ids: ["R61", "D5"],
    summary: "error of the fences of GPU work a driver force-completes at unplug (vtest's jobs and engines)",
    values: { mainline: "ECANCELED", "uapi-doc": "ENODEV" },
  }),
  unplugQueuedFenceError: defineVariant<ErrnoName>({
    ids: ["R55", "R58", "D5"],
    summary:
      "error of the fences of jobs still queued in a scheduler entity when a driver kills it at " +
      "unplug (drm_sched_entity_kill(); an entity killed at its file's close stays ESRCH)",
    values: { mainline: "ESRCH", "uapi-doc": "ENODEV" },
  }),
  wedgedEvent: defineVariant<boolean>({
    ids: ["R66"],
    summary: "drm_dev_wedged_event() exists: a wedged device tells userspace with a WEDGED= uevent",
    values: { mainline: [["6.8", false], ["6.14", true]], "uapi-doc": [["6.8", false], ["6.14", true]] },
  }),
  wedgedMethods: defineVariant<string>({
    ids: ["R70"],
    summary:
      "the recovery methods drm_dev_wedged_event() names, by bit from bit 0 (a later bit is " +
      "invalid: WEDGED=unknown and a one-time WARN; cold-reset, bit 4, is still pending at 7.1)",
    values: {
      mainline: [
        ["6.8", "none,rebind,bus-reset"],
        ["6.18", "none,rebind,bus-reset,vendor-specific"],
      ],
      "uapi-doc": [
        ["6.8", "none,rebind,bus-reset"],
        ["6.18", "none,rebind,bus-reset,vendor-specific"],
      ],
    },
  }),
  wedgedTaskInfo: defineVariant<boolean>({
    ids: ["R71", "R72"],
    summary: "drm_dev_wedged_event() takes task information (PID= and TASK= keys)",
    values: { mainline: [["6.8", false], ["6.17", true]], "uapi-doc": [["6.8", false], ["6.17", true]] },
  }),
  wedgedNoneLog: defineVariant<string>({
    ids: ["R73"],
    summary: "what drm_dev_wedged_event() logs for WEDGED=none (\"device wedged, <this>\")",
    values: {
      mainline: [["6.8", "but recovered through reset"], ["7.1", "but no recovery needed"]],
      "uapi-doc": [["6.8", "but recovered through reset"], ["7.1", "but no recovery needed"]],
    },
  }),
  xeHangModeMethod: defineVariant<"default" | "none">({
    ids: ["R84"],
    summary: "the recovery method xe sends in wedged mode 2 (upon-any-hang-no-reset)",
    values: { mainline: [["6.8", "default"], ["7.1", "none"]], "uapi-doc": [["6.8", "default"], ["7.1", "none"]] },
  }),
} as const;

export type VariantName = keyof typeof VARIANTS;
export type VariantValue<N extends VariantName> =
  (typeof VARIANTS)[N] extends VariantDef<infer T> ? T : never;

export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];

/** The switches asked for while recordVariantUse() runs its function; null otherwise. */
let variantsAsked: Set<VariantName> | null = null;

/**
 * Runs `fn` and says which switches it asked for. Since the model changes with the kernel
 * only through variant(), a run asks the same switches and takes the same path at every
 * version where those switches have the same values (what `vdrm conformance` relies on to
 * run a case once for the versions that share them).
 */
export function recordVariantUse<T>(fn: () => T): { result: T; used: ReadonlySet<VariantName> } {
  const outer = variantsAsked;
  const used = new Set<VariantName>();
  variantsAsked = used;
  try {
    return { result: fn(), used };
  } finally {
    variantsAsked = outer;
    if (outer !== null) for (const n of used) outer.add(n);
  }
}

/** The value of a switch for a kernel (its profile and version). */
export function variant<N extends VariantName>(kernel: KernelProfile, name: N): VariantValue<N> {
  variantsAsked?.add(name);
  const def = VARIANTS[name] as VariantDef<VariantValue<N>>;
  return valueAt(def.values[kernel.name], kernel.version);
}

function valueAt<T>(values: ByVersion<T>, version: KernelVersion): T {
  if (!Array.isArray(values)) return values as T;
  const steps = values as readonly (readonly [KernelVersion, T])[];
  let value: T | undefined;
  for (const [since, v] of steps) if (compareVersions(version, since) >= 0) value = v;
  if (value === undefined) {
    throw new RangeError(
      `Cannot find a variant value: kernel ${version} is older than ${steps[0]?.[0]}`,
    );
  }
  return value;
}

/** A switch's values as text: "ENODEV", or "false up to 6.11, true from 6.12". */
export function formatByVersion(values: ByVersion<string | boolean>): string {
  if (!Array.isArray(values)) return String(values);
  const steps = values as readonly (readonly [KernelVersion, string | boolean])[];
  return steps
    .map(([since, v], i) => {
      const next = steps[i + 1]?.[0];
      const last =
        next === undefined ? undefined : KERNEL_VERSIONS[KERNEL_VERSIONS.indexOf(next) - 1];
      if (i === 0) return next === undefined ? String(v) : `${String(v)} up to ${last}`;
      return `${String(v)} from ${since}`;
    })
    .join(", ");
}

/** Every switch as a Markdown table (the one in docs/ARCHITECTURE.md, checked by a test). */
export function variantsMarkdown(): string {
  const head = `| switch | spec | what it decides | ${PROFILE_NAMES.join(" | ")} |`;
  const rule = `|---|---|---|${PROFILE_NAMES.map(() => "---|").join("")}`;
  const rows = VARIANT_NAMES.map((name) => {
    const def: VariantDef<string | boolean> = VARIANTS[name];
    const values = PROFILE_NAMES.map((p) => formatByVersion(def.values[p]));
    return `| \`${name}\` | ${def.ids.join(", ")} | ${def.summary} | ${values.join(" | ")} |`;
  });
  return [head, rule, ...rows].join("\n");
}
