/**
 * @internal The fuzz tests' harness: how many cases, which seed, the liveness bound of one case
 * (all from the environment; docs/fuzzing.md), a property runner that times every case, reports
 * the slowest, and on a failure prints fast-check's seed and path with the command that replays
 * the case, and the checks every rejected scenario file must pass.
 */
import { randomInt } from "node:crypto";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ERRORS_SHOWN_MAX } from "./limits.js";
import type { LoadResult } from "./load.js";
import { formatLocated } from "./locate.js";
import { escapeControls } from "./user_text.js";

export interface FuzzSettings {
  /** Cases of all the fuzz properties together (VDRM_FUZZ_RUNS, default 1 000). */
  readonly runs: number;
  readonly seed: number;
  /** A fast-check path to replay (VDRM_FUZZ_PATH), with VDRM_FUZZ_ONLY naming the property. */
  readonly path?: string;
  /** Runs only this property (VDRM_FUZZ_ONLY). */
  readonly only?: string;
  /** The most CPU time one case may take, a liveness bound (VDRM_FUZZ_CASE_MS, default 10 000). */
  readonly caseMsMax: number;
}

/**
 * The liveness bound of one case, in ms of the process's CPU time (not of the wall clock, which
 * a loaded machine stretches): catches a hang or a quadratic blow-up, not a slow case.
 */
const CASE_MS_DEFAULT = 10_000;

/** CPU time (user and system) of this process since `start`, in ms. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** The seed of `npm test`, so that CI runs the same 1 000 cases every time. */
const CI_SEED = 1;

function positiveInteger(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    throw new Error(`${name} must be a positive integer, got "${v}"`);
  }
  return Number(v);
}

function seedFromEnv(): number {
  const v = process.env["VDRM_FUZZ_SEED"];
  if (v === undefined || v === "") return CI_SEED;
  if (v === "random") return randomInt(2 ** 31);
  if (!/^-?\d+$/.test(v)) {
    throw new Error(`VDRM_FUZZ_SEED must be an integer or "random", got "${v}"`);
  }
  return Number(v);
}

export const FUZZ: FuzzSettings = (() => {
  const path = process.env["VDRM_FUZZ_PATH"];
  const only = process.env["VDRM_FUZZ_ONLY"];
  return {
    runs: positiveInteger("VDRM_FUZZ_RUNS", 1000),
    seed: seedFromEnv(),
    ...(path ? { path } : {}),
    ...(only ? { only } : {}),
    caseMsMax: positiveInteger("VDRM_FUZZ_CASE_MS", CASE_MS_DEFAULT),
  };
})();

export interface FuzzProperty<T> {
  /** Names the property in messages and in VDRM_FUZZ_ONLY. */
  readonly id: string;
  /** This property's part of the cases (all parts add up to 1). */
  readonly share: number;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Throws when the case fails; returns a label for the tally of outcomes (an exit code). */
  readonly check: (value: T) => string;
}

/** Whether the property is skipped (VDRM_FUZZ_ONLY names another). */
export function skipped(id: string): boolean {
  return FUZZ.only !== undefined && FUZZ.only !== id;
}

/**
 * Runs a property for its share of the cases (`settings`: the environment's by default); `log`
 * gets the seed first and the figures at the end (cases, time, the slowest case).
 * @throws Error with fast-check's report and the command that replays the failing case.
 */
export function runFuzzProperty<T>(p: FuzzProperty<T>, log: (line: string) => void,
  settings: FuzzSettings = FUZZ): void {
  const s = settings;
  // A path names one case: replay that case only, without shrinking it again.
  const numRuns = s.path !== undefined ? 1 : Math.max(1, Math.round(s.runs * p.share));
  log(`${p.id}: ${numRuns} cases, seed ${s.seed}${s.path ? `, path ${s.path}` : ""}`);
  let slowest = { ms: -1, what: "" };
  const tally = new Map<string, number>();
  const timed = (v: T): void => {
    const c0 = process.cpuUsage();
    const label = p.check(v);
    const ms = cpuMsSince(c0);
    tally.set(label, (tally.get(label) ?? 0) + 1);
    if (ms > slowest.ms) slowest = { ms, what: fc.stringify(v) };
    assert.ok(ms <= s.caseMsMax, `the case took ${ms.toFixed(0)} ms, more than the ` +
      `liveness bound of ${s.caseMsMax} ms (VDRM_FUZZ_CASE_MS)`);
  };
  const t0 = performance.now();
  let details: fc.RunDetails<[T]>;
  try {
    details = fc.check(fc.property(p.arbitrary, timed), {
      seed: s.seed, numRuns,
      ...(s.path !== undefined ? { path: s.path, endOnFailure: true } : {}),
    });
  } catch (e) {
    // A generator that throws is a bug of the test, not a case: fast-check gives no path.
    throw new Error(`${p.id}: a generator failed with seed ${s.seed}`, { cause: e });
  }
  if (details.failed) {
    const bound = s.caseMsMax === CASE_MS_DEFAULT ? "" : `VDRM_FUZZ_CASE_MS=${s.caseMsMax} `;
    const replay = `VDRM_FUZZ_ONLY=${p.id} VDRM_FUZZ_SEED=${details.seed} ${bound}` +
      `VDRM_FUZZ_PATH=${details.counterexamplePath ?? ""} npm run fuzz`;
    const e = details.errorInstance;
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`${p.id}: ${fc.defaultReportMessage(details) ?? "failed"}\n` +
      `The case failed with: ${why}\nreplay: ${replay}`);
  }
  const long = slowest.what.length > 300 && s.path === undefined;
  const shown = long ? `${slowest.what.slice(0, 300)}...` : slowest.what;
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const outcomes = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`);
  log(`${p.id}: ${details.numRuns} cases passed in ${seconds} s (${outcomes.join(", ")})`);
  log(`${p.id}: slowest case ${slowest.ms.toFixed(0)} ms: ${shown}`);
}

// ------------------------------------------------------------------ checks of what a user sees

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
const STACK_FRAME = /^\s+at \S|\(file:\/\/|\(node:/m;
/** Words that only a bug prints, unless the user wrote them. */
const BUG_WORDS = ["undefined", "[object Object]", "NaN"];

/**
 * Asserts that `text` (output lines, joined by `\n`) holds no raw control character but the
 * line breaks, no stack frame, and no word that only a bug prints unless `input` holds it.
 */
export function assertCleanText(text: string, input: string, what: string): void {
  const control = CONTROL.exec(text);
  assert.equal(control, null, `${what} holds a raw control character ` +
    `"${escapeControls(control?.[0] ?? "")}" at ${control?.index}: ` +
    `"${escapeControls(text.slice(0, 500))}"`);
  assert.doesNotMatch(text, STACK_FRAME, `${what} holds a stack trace`);
  for (const w of BUG_WORDS) {
    if (input.toLowerCase().includes(w.toLowerCase())) continue;
    assert.ok(!text.includes(w), `${what} says "${w}": ${JSON.stringify(text.slice(0, 500))}`);
  }
}

/** The summary line of a file with more errors than are listed (the one error of line 0). */
const MORE_ERRORS = /^\d+ more errors not shown$/;

/**
 * Asserts what parseScenario() must give for any text: a scenario, or errors each with the
 * file, a line and column inside the text, and a non-empty message that prints on one clean line.
 */
export function assertLoadResult(text: string, file: string, r: LoadResult): string {
  if (r.ok) {
    assert.ok(r.scenario.programs.length > 0, "a loaded scenario has programs");
    return "loaded";
  }
  assert.ok(r.errors.length > 0, "a rejected file has errors");
  assert.ok(r.errors.length <= ERRORS_SHOWN_MAX + 1, `${r.errors.length} errors listed`);
  const lines = text.split("\n");
  for (const e of r.errors) {
    const shown = formatLocated(e);
    assert.equal(e.file, file, shown);
    assert.ok(e.message.trim() !== "", `empty message: ${shown}`);
    assert.ok(!shown.includes("\n"), `not one line: ${JSON.stringify(shown)}`);
    assertCleanText(shown, text, "the error");
    if (e.line === 0) {
      assert.match(e.message, MORE_ERRORS, `an error without a line: ${shown}`);
      continue;
    }
    assert.ok(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines.length,
      `line ${e.line} is outside the text (${lines.length} lines): ${shown}`);
    const width = lines[e.line - 1]!.length;
    assert.ok(Number.isInteger(e.col) && e.col >= 1 && e.col <= width + 1,
      `column ${e.col} is outside line ${e.line} (${width} characters): ${shown}`);
  }
  return "rejected";
}
