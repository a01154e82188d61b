/**
 * A conformance case: a scenario file of `conformance/`, named after the requirement it
 * checks (`r38-ioctl-after-unplug.yaml`), whose `conformance:` key says what it checks and
 * where it applies (docs/conformance.md). The story is the file's own programs, or those of
 * an existing scenario the case names (`scenario: ../scenarios/x.yaml`).
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { KERNEL_VERSIONS, PROFILE_NAMES, type KernelVersion, type ProfileName } from "../base/mod.js";
import { DRIVERS } from "../drivers/mod.js";
import { FINDING_NAMES } from "../scenario/schema.js";
import { loadScenarioFile, formatLocated, type Scenario } from "../scenario/mod.js";
import { didYouMean } from "../scenario/suggest.js";

const CORRECT = [...DRIVERS].filter(([, d]) => d.correct).map(([n]) => n);
const BROKEN = [...DRIVERS].filter(([, d]) => !d.correct).map(([n]) => n);

function named(what: string, known: readonly string[]) {
  return z.string().superRefine((v, ctx) => {
    if (!known.includes(v)) {
      ctx.addIssue({ code: "custom", message: `unknown ${what} "${v}"${didYouMean(v, known)}; expected one of ${known.join(", ")}` });
    }
  });
}

const requirementId = z.string().regex(/^R([1-9]\d?)$/, "expected a requirement id such as R38");
const version = named("kernel version", KERNEL_VERSIONS);
/** `all`, `>=6.14`, or a list of versions. */
const kernels = z.union([
  z.literal("all"),
  z.string().regex(/^>=\d+\.\d+$/, "expected all, >=V or a list of versions"),
  z.array(version).min(1),
]);
/** What a broken driver must fail a case with: a finding's kind or class, or a verdict. */
const caught = named("finding kind or class, or verdict",
  [...FINDING_NAMES, "expectation", "blocked", "budget"]);
/** A recording's observation that shows the requirement on a real kernel. */
const realkernelClaim = z.object({
  recording: z.string(),
  step: z.string(),
  observes: z.string().min(1),
}).strict();

export const caseMetadata = z.object({
  requirement: requirementId,
  also: z.array(requirementId).optional(),
  drivers: z.array(named("correct driver", CORRECT)).min(1),
  profiles: z.array(named("profile", PROFILE_NAMES)).min(1).optional(),
  kernels: kernels.optional(),
  /** Broken drivers that must fail the case, each with the finding (kind or class) or verdict it must give. */
  catches: z.record(named("broken driver", BROKEN), caught).optional(),
  scenario: z.string().optional(),
  realkernel: z.array(realkernelClaim).optional(),
}).strict();

export type RealkernelClaim = z.infer<typeof realkernelClaim>;

export interface ConformanceCase {
  /** The file name without `.yaml`: `r38-ioctl-after-unplug`. */
  readonly id: string;
  /** The case file. */
  readonly file: string;
  /** The file whose story runs: the case file, or the scenario it names. */
  readonly storyFile: string;
  readonly requirement: string;
  /** Every requirement it checks, its own first. */
  readonly requirements: readonly string[];
  readonly drivers: readonly string[];
  readonly profiles: readonly ProfileName[];
  readonly kernels: readonly KernelVersion[];
  readonly catches: Readonly<Record<string, string>>;
  readonly realkernel: readonly RealkernelClaim[];
  readonly scenario: Scenario;
}

export type CaseLoad =
  | { readonly ok: true; readonly case: ConformanceCase }
  | { readonly ok: false; readonly errors: readonly string[] };

function kernelList(k: z.infer<typeof kernels> | undefined): KernelVersion[] {
  if (k === undefined || k === "all") return [...KERNEL_VERSIONS];
  if (Array.isArray(k)) return KERNEL_VERSIONS.filter((v) => k.includes(v));
  const from = k.slice(2);
  const at = KERNEL_VERSIONS.indexOf(from as KernelVersion);
  return at === -1 ? [] : KERNEL_VERSIONS.slice(at);
}

function readDocument(file: string): { doc?: Record<string, unknown>; error?: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { error: `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  try {
    const doc: unknown = parseYaml(text);
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
      return { error: `${file}: expected a mapping with a conformance: key` };
    }
    return { doc: doc as Record<string, unknown> };
  } catch (e) {
    return { error: `${file}: ${(e as Error).message.split("\n")[0]}` };
  }
}

/** The story of a case: its own scenario, or the one it names (which must then hold it all). */
function story(file: string, doc: Record<string, unknown>, ref: string | undefined):
  { scenario?: Scenario; storyFile: string; errors: string[] } {
  if (ref !== undefined && doc["programs"] !== undefined) {
    return { storyFile: file, errors: [`${file}: conformance.scenario names a scenario, so the case has no programs of its own`] };
  }
  const storyFile = ref === undefined ? file : join(dirname(file), ref);
  const r = loadScenarioFile(storyFile);
  if (!r.ok) return { storyFile, errors: r.errors.map(formatLocated) };
  return { scenario: r.scenario, storyFile, errors: [] };
}

/** Loads and checks one case file; every problem is one line naming the file. */
export function loadCase(file: string): CaseLoad {
  const { doc, error } = readDocument(file);
  if (doc === undefined) return { ok: false, errors: [error!] };
  const parsed = caseMetadata.safeParse(doc["conformance"]);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) =>
      `${file}: ${["conformance", ...i.path.map(String)].join(".")}: ${i.message}`);
    return { ok: false, errors };
  }
  const m = parsed.data;
  const id = basename(file).replace(/\.ya?ml$/, "");
  const errors: string[] = [];
  if (!id.startsWith(`${m.requirement.toLowerCase()}-`)) {
    errors.push(`${file}: a case is named after its requirement: the file name must start with "${m.requirement.toLowerCase()}-"`);
  }
  const ks = kernelList(m.kernels);
  if (ks.length === 0) errors.push(`${file}: conformance.kernels: no modelled version (${KERNEL_VERSIONS.join(", ")})`);
  const s = story(file, doc, m.scenario);
  errors.push(...s.errors);
  if (errors.length > 0 || s.scenario === undefined) return { ok: false, errors };
  return {
    ok: true,
    case: {
      id, file, storyFile: s.storyFile, requirement: m.requirement,
      requirements: [m.requirement, ...(m.also ?? [])],
      drivers: m.drivers, profiles: (m.profiles ?? PROFILE_NAMES) as ProfileName[], kernels: ks,
      catches: m.catches ?? {}, realkernel: m.realkernel ?? [], scenario: s.scenario,
    },
  };
}
