/**
 * Loads a scenario file (YAML; JSON is YAML too): parses it, validates the document and every
 * step, checks the names used and the machine described, and reports every error with file,
 * line and column. Nothing runs unless the whole file is valid. parseScenario() works on
 * text alone and never throws for any text (the loader's bounds are in limits.ts).
 */
import type { LineCounter } from "yaml";
import { ERRORS_SHOWN_MAX, FILE_BYTES_MAX, formatBytes } from "./limits.js";
import type { DataPath, Located } from "./locate.js";
import { checkNames, type CheckedStep } from "./names_check.js";
import { Expansion } from "./program_steps.js";
import { durationUs } from "./op.js";
import { STOP_TIMEOUT_US, type Checks, type ProgramSpec, type Scenario, type ServiceSpec, type Step } from "./scenario.js";
import { scenarioDocument, worldSchema, type ScenarioDocument } from "./schema.js";
import { killedProgram } from "./ops_recoveryd.js";
import { copyLabel } from "./step_label.js";
import { readTextBounded } from "./read_bounded.js";
import { parseStep, type StepSource } from "./step_parse.js";
import { checkWorld } from "./world_check.js";
import { yamlData, type SourceMap } from "./yaml_data.js";
import { parseYaml, type OffsetError } from "./yaml_parse.js";
import { pathIssues, type PathIssue } from "./zod_issues.js";

export type LoadResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly errors: readonly Located[] };

const DEFAULT_DEVICES = [{ bdf: "0000:01:00.0", driver: "vdisp" }] as const;

export function loadScenarioFile(file: string): LoadResult {
  const fileError = (message: string): LoadResult => ({
    ok: false,
    errors: [{ file, line: 0, col: 0, message }],
  });
  let text: string | null;
  try {
    text = readTextBounded(file, FILE_BYTES_MAX);
  } catch (e) {
    return fileError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (text === null)
    return fileError(`larger than ${formatBytes(FILE_BYTES_MAX)}, the most a scenario file may be`);
  return parseScenario(text, file);
}

export function parseScenario(text: string, file: string): LoadResult {
  const y = parseYaml(text);
  const atOffsets = (errors: readonly OffsetError[]): LoadResult => ({
    ok: false,
    errors: shownErrors(
      errors.map((e) => ({ file, ...y.lc.linePos(e.at), message: e.message })),
      file,
    ),
  });
  if (!y.ok) return atOffsets(y.errors);
  const d = yamlData(y.doc);
  if (!d.ok) return atOffsets(d.errors);
  return validate(d.source, y.lc, file);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

interface ProgramBody {
  readonly steps: readonly unknown[];
  /** Where the steps are in the file. */
  readonly path: DataPath;
  readonly mayEndBlocked: boolean;
  readonly service: ServiceSpec | null;
}

/**
 * A program is a list of steps, or a mapping {steps: [...], may-end-blocked: true,
 * service: true, stop-timeout: 90s}.
 */
function programBody(body: unknown, path: DataPath): ProgramBody | null {
  if (Array.isArray(body)) return { steps: body, path, mayEndBlocked: false, service: null };
  if (!isMapping(body) || !Array.isArray(body["steps"])) return null;
  const mayEndBlocked = body["may-end-blocked"] === true;
  const timeout = body["stop-timeout"];
  const stopTimeoutUs = durationUs(typeof timeout === "number" || typeof timeout === "string" ? timeout : undefined, STOP_TIMEOUT_US);
  const service = body["service"] === true ? { stopTimeoutUs } : null;
  return { steps: body["steps"], path: [...path, "steps"], mayEndBlocked, service };
}

/**
 * The recovery daemon runs until it is stopped. The run stops a service once the other
 * programs have ended; any other program's daemon must be killed by a `kill` step, or it
 * runs until the step budget is spent (exit 8).
 */
function daemonsNeverStopped(programs: readonly ProgramSpec[], checked: readonly CheckedStep[]): PathIssue[] {
  const killed = new Set(checked.filter((c) => c.step.op.name === "kill")
    .map((c) => killedProgram(c.step.args)));
  const byName = new Map(programs.map((p) => [p.name, p]));
  return checked.flatMap((c) => {
    const program = c.path[1];
    if (c.step.op.name !== "recoveryd" || typeof program !== "string") return [];
    if (byName.get(program)?.service !== null || killed.has(program)) return [];
    return [{
      path: [...c.path, "recoveryd"],
      atKey: true,
      message: `${c.label}: recoveryd runs until it is stopped, and nothing stops it: make ` +
        `its program a service (programs.${program}: {service: true, steps: [...]}), which ` +
        "the run stops once the other programs have ended, or kill it from another program",
    }];
  });
}

function validate(source: SourceMap, lc: LineCounter, file: string): LoadResult {
  const data = source.data;
  if (!isMapping(data))
    return {
      ok: false,
      errors: [
        {
          file,
          line: 1,
          col: 1,
          message:
            "a scenario is a mapping with programs " +
            "(and optionally name, description, world, checks)",
        },
      ],
    };
  const parsed = scenarioDocument.safeParse(ueventValuesAsWritten(data, source));
  const issues: PathIssue[] = parsed.success
    ? []
    : pathIssues(parsed.error.issues, scenarioDocument);
  const lineAt = (offset: number): number => lc.linePos(offset).line;
  const expansion = new Expansion(source, lineAt);
  const src: StepSource = {
    issues,
    line: (p) => lineAt(source.offset(p)),
    written: (p) => source.written(p),
  };
  const programs: ProgramSpec[] = [];
  const checked: CheckedStep[] = [];
  if (isMapping(data.programs)) {
    for (const [name, body] of Object.entries(data.programs)) {
      const program = programBody(body, ["programs", name]);
      if (program === null) continue; // reported by the document schema
      const parsedSteps: Step[] = [];
      for (const [i, w] of expansion.program(program.steps, program.path).entries()) {
        const copies = w.copies.length > 0 ? ` (${w.copies.map(copyLabel).join(", ")})` : "";
        const label = `program ${name}, step ${i + 1}${copies}`;
        const step = parseStep(w, i + 1, label, src);
        if (step === null) continue;
        parsedSteps.push(step);
        checked.push({ step, raw: w.raw, path: w.path, label });
      }
      programs.push({ name, steps: parsedSteps, mayEndBlocked: program.mayEndBlocked, service: program.service });
    }
    if (Object.keys(data.programs).length === 0)
      issues.push({
        path: ["programs"],
        atKey: false,
        message: "a scenario needs at least one program",
      });
  }
  issues.push(...expansion.issues, ...checkNames(checked, expansion.counters));
  issues.push(...daemonsNeverStopped(programs, checked));
  const world = worldSchema.safeParse(data.world ?? {});
  if (world.success) {
    const cardSteps = checked.filter(
      (c) => c.step.op.name === "plug-card" || c.step.op.name === "pull-card",
    );
    issues.push(
      ...checkWorld(
        { devices: world.data.devices ?? DEFAULT_DEVICES, slots: world.data.slots ?? [] },
        cardSteps,
      ),
    );
  }
  if (!parsed.success || issues.length > 0)
    return { ok: false, errors: locateAll(issues, source, lc, file) };
  return { ok: true, scenario: buildScenario(parsed.data, programs, file) };
}

/**
 * Uevent values are text: a number in a uevent check is compared as it is written
 * (`PCI_CLASS: 038000` is "038000", not "38000").
 */
function ueventValuesAsWritten(
  data: Record<string, unknown>,
  source: SourceMap,
): Record<string, unknown> {
  const checks = data["checks"];
  if (!isMapping(checks) || !Array.isArray(checks["uevents"])) return data;
  const uevents = checks["uevents"].map((u: unknown, i) =>
    isMapping(u)
      ? Object.fromEntries(
          Object.entries(u).map(([k, v]) => [
            k,
            typeof v === "number" ? (source.written(["checks", "uevents", i, k]) ?? v) : v,
          ]),
        )
      : u,
  );
  return { ...data, checks: { ...checks, uevents } };
}

function describePath(path: DataPath): string {
  const [head, name, index, ...rest] = path;
  if (head === "programs" && typeof index === "number")
    return [
      `program ${String(name)}, step ${index + 1}`,
      ...rest.map((r) => (typeof r === "number" ? `[${r + 1}]` : String(r))),
    ].join(" ");
  return path
    .map((p) => (typeof p === "number" ? `[${p + 1}]` : String(p)))
    .join(".")
    .replace(/\.\[/g, "[");
}

function issueMessage(i: PathIssue): string {
  if (i.path.length === 0 || i.atKey) return i.message;
  const rest =
    i.step === undefined
      ? []
      : i.path.slice(i.step.depth).map((r) => (typeof r === "number" ? `[${r + 1}]` : String(r)));
  const prefix = i.step === undefined ? describePath(i.path) : [i.step.label, ...rest].join(" ");
  return `${prefix}: ${i.message}`;
}

/**
 * Positions for the issues, each reported once: a step copied by an alias or a repeat gets
 * the same issue at the same place in every copy, and that is said once, with the count.
 * Linear in the number of issues (then sorted); at most ERRORS_SHOWN_MAX are listed.
 */
function locateAll(
  issues: readonly PathIssue[],
  source: SourceMap,
  lc: LineCounter,
  file: string,
): Located[] {
  const places = new Map<
    string,
    { line: number; col: number; issue: PathIssue; copies: Set<string> }
  >();
  for (const issue of issues) {
    const { line, col } = lc.linePos(source.offset(issue.path, issue.atKey));
    const key = `${line}:${col}:${issue.message}`;
    const place = places.get(key);
    if (place === undefined)
      places.set(key, { line, col, issue, copies: new Set([issue.step?.label ?? ""]) });
    else place.copies.add(issue.step?.label ?? "");
  }
  const sorted = [...places.values()].sort((a, b) => a.line - b.line || a.col - b.col);
  const errors: Located[] = sorted.slice(0, ERRORS_SHOWN_MAX + 1).map((p) => {
    const more = p.copies.size - 1;
    return {
      file,
      line: p.line,
      col: p.col,
      message: `${issueMessage(p.issue)}${more > 0 ? ` (the same in ${copiesText(more)})` : ""}`,
    };
  });
  return shownErrors(errors, file, sorted.length);
}

/** At most ERRORS_SHOWN_MAX of `total` errors, then a line that counts the rest. */
function shownErrors(errors: readonly Located[], file: string, total = errors.length): Located[] {
  if (total <= ERRORS_SHOWN_MAX) return [...errors];
  const message = `${total - ERRORS_SHOWN_MAX} more errors not shown`;
  return [...errors.slice(0, ERRORS_SHOWN_MAX), { file, line: 0, col: 0, message }];
}

function copiesText(n: number): string {
  return `${n} more cop${n === 1 ? "y" : "ies"} of this step`;
}

function buildScenario(d: ScenarioDocument, programs: ProgramSpec[], file: string): Scenario {
  const w = d.world ?? {};
  const c = d.checks ?? {};
  const checks: Checks = {
    clean: c.clean ?? true,
    findings: c.findings ?? [],
    uevents: c.uevents ?? [],
    devices: (c.devices ?? []).map((x) => ({
      bdf: x.bdf,
      ...(x.present !== undefined ? { present: x.present } : {}),
      ...(x.driver !== undefined ? { driver: x.driver } : {}),
      ...(x.nodes !== undefined ? { nodes: x.nodes } : {}),
    })),
  };
  return {
    file,
    name: d.name ?? file.replace(/^.*\//, "").replace(/\.(ya?ml|json)$/, ""),
    ...(d.description !== undefined ? { description: d.description } : {}),
    world: {
      ...(w.seed !== undefined ? { seed: w.seed } : {}),
      ...(w.profile !== undefined ? { profile: w.profile } : {}),
      ...(w.kernel !== undefined ? { kernel: w.kernel } : {}),
      devices: (w.devices ?? DEFAULT_DEVICES).map((x) => ({
        bdf: x.bdf,
        driver: x.driver,
        ...("vram" in x && x.vram !== undefined ? { vramBytes: x.vram } : {}),
      })),
      slots: w.slots ?? [],
    },
    programs,
    checks,
  };
}
