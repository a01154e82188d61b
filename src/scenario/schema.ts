/**
 * The schema of a scenario file, except the steps (each op validates its own; see op.ts).
 */
import { z } from "zod";
import { isKernelVersion, KERNEL_VERSIONS, PROFILE_NAMES } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import {
  FINDING_CLASSES, FINDING_KINDS, findingKindsOf, type FindingClass, type FindingKind,
} from "../kernel/mod.js";
import { duration, oneOf } from "./op.js";
import { formatBytes, VRAM_BYTES_MAX } from "./limits.js";
import { didYouMean } from "./suggest.js";
import { ueventExpectation } from "./uevent_match.js";

/**
 * The names checks.findings accepts: every finding kind, and every class that has a kind
 * (src/kernel/findings.ts).
 */
export const FINDING_NAMES: readonly (FindingKind | FindingClass)[] = [
  ...new Set([
    ...(Object.keys(FINDING_KINDS) as FindingKind[]),
    ...FINDING_CLASSES.filter((c) => findingKindsOf(c).length > 0),
  ]),
];

export const NAME_PATTERN = /^[A-Za-z_][\w-]*$/;

export const bdf = z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/, "expected a PCI bus address such as 0000:01:00.0");

export const driverName = z.string().superRefine((name, ctx) => {
  if (!DRIVERS.has(name)) ctx.addIssue({ code: "custom", message: `unknown driver "${name}"${didYouMean(name, DRIVERS.keys())}; built-in drivers: ${[...DRIVERS.keys()].join(", ")}` });
});

const kernelVersion = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === "number") {
    ctx.addIssue({ code: "custom", message: `write the kernel version as a string, e.g. "${v}" (YAML reads 6.10 as the number 6.1)` });
    return z.NEVER;
  }
  if (!isKernelVersion(v)) {
    ctx.addIssue({ code: "custom", message: `unknown kernel version "${v}"; modelled: ${KERNEL_VERSIONS.join(", ")}` });
    return z.NEVER;
  }
  return v;
});

const SIZE = /^(\d+)\s*(KiB|MiB|GiB)$/;

const size = z
  .union([z.number().int().positive(), z.string().regex(SIZE, "expected a size such as 16MiB")])
  .transform((v, ctx) => {
    const m = typeof v === "number" ? null : SIZE.exec(v)!;
    const unit = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
    const bytes = m === null ? (v as number) : Number(m[1]) * unit[m[2] as keyof typeof unit];
    if (bytes > 0 && bytes <= VRAM_BYTES_MAX) return bytes;
    const message = `expected a size from 1 byte to ${formatBytes(VRAM_BYTES_MAX)}`;
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  });

const SLOT_RANGE = "a slot is the device number of its root port on bus 00, 1..31";

export const worldSchema = z
  .object({
    seed: z.number().int().nonnegative().optional(),
    profile: oneOf("profile", PROFILE_NAMES).optional(),
    kernel: kernelVersion.optional(),
    devices: z.array(z.object({ bdf, driver: driverName, vram: size.optional() }).strict()).min(1).optional(),
    slots: z.array(z.number().int().min(1, SLOT_RANGE).max(31, SLOT_RANGE)).optional(),
  })
  .strict();

const findingName = oneOf("finding kind or class", FINDING_NAMES);

const checks = z
  .object({
    clean: z.boolean().optional(),
    findings: z.array(findingName).optional(),
    uevents: z.array(ueventExpectation).optional(),
    devices: z.array(z.object({ bdf, present: z.boolean().optional(), driver: z.union([driverName, z.null()]).optional(), nodes: z.array(z.string().regex(/^(card|renderD|accel)\d+$/, "expected a node name such as card0 or renderD128")).optional() }).strict()).optional(),
  })
  .strict();

/** A list of steps, or a mapping with the steps and what the program may do at the end. */
const programBody = z.union(
  [
    z.array(z.unknown()),
    z.object({
      steps: z.array(z.unknown(), { error: "expected a list of steps" }),
      "may-end-blocked": z.boolean().optional(),
      service: z.boolean().optional(),
      "stop-timeout": duration.optional(),
    }).strict(),
  ],
  { error: "expected a list of steps, or a mapping {steps: [...], may-end-blocked: true, service: true}" },
);

export const scenarioDocument = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    /** Free-form; a place for YAML anchors (&name) that steps reuse as aliases (*name). */
    snippets: z.unknown().optional(),
    /** A conformance case's metadata (docs/conformance.md), checked by `vdrm conformance`. */
    conformance: z.unknown().optional(),
    world: worldSchema.optional(),
    programs: z.record(z.string().regex(NAME_PATTERN, "program names are letters, digits, '_' and '-'"), programBody),
    checks: checks.optional(),
  })
  .strict();

export type ScenarioDocument = z.infer<typeof scenarioDocument>;
