/**
 * The suite's report as text (the table, the failures with their replay commands, the
 * negative controls, the real-kernel claims, the time), as JSON, and as JUnit XML.
 */
import { KERNEL_VERSIONS, type KernelVersion } from "../base/mod.js";
import { escapeControls } from "../scenario/mod.js";
import type { RealkernelRow } from "./realkernel_check.js";
import type { ControlRow, CaseRow } from "./results.js";
import type { SuiteReport } from "./suite.js";

/** "6.8-7.1", "6.14-7.1", or "6.8, 6.12" when not contiguous. */
export function versionRange(vs: readonly KernelVersion[]): string {
  if (vs.length === 0) return "-";
  const at = vs.map((v) => KERNEL_VERSIONS.indexOf(v));
  const contiguous = at.every((x, i) => i === 0 || x === at[i - 1]! + 1);
  if (vs.length === 1) return vs[0]!;
  return contiguous ? `${vs[0]}-${vs.at(-1)}` : vs.join(", ");
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(head), ...rows.map(line)];
}

function verdictCell(r: CaseRow): string {
  if (r.verdict === "pass") return `pass (${r.seeds} seed${r.seeds === 1 ? "" : "s"})`;
  return `${r.verdict} (${r.failedSeeds.length} of ${r.seeds} seeds)`;
}

function caseTable(report: SuiteReport): string[] {
  if (report.rows.length === 0) return ["no case runs with these options (the negative controls below may)"];
  const rows = report.rows.map((r) => [r.requirement, r.caseId, r.driver, r.profile, versionRange(r.versions), verdictCell(r)]);
  return table(["requirement", "case", "driver", "profile", "kernels", "verdict"], rows);
}

function failures(report: SuiteReport): string[] {
  const failed = report.rows.filter((r) => r.verdict !== "pass");
  if (failed.length === 0) return [];
  return ["", "failures:", ...failed.flatMap((r) => [
    `  ${r.requirement} ${r.caseId} ${r.driver} ${r.profile} ${versionRange(r.versions)}: ` +
      `${r.verdict} (seeds ${r.failedSeeds.join(", ")})`,
    `    ${escapeControls(r.why ?? "")}`,
    `    replay: ${r.replay ?? ""}`,
  ])];
}

function controlLine(broken: string, rows: readonly ControlRow[]): string[] {
  const caught = rows.filter((r) => r.expected !== null && r.ok);
  const passed = rows.filter((r) => r.expected === null && r.ok);
  const bad = rows.filter((r) => !r.ok);
  const head = `  ${broken} (correct sibling ${rows[0]!.sibling}): fails ` +
    (caught.length === 0 ? "no case" : caught.map((r) => `${r.caseId} (${r.expected})`).join(", ")) +
    ` as declared; passes the other ${passed.length}`;
  return [bad.length === 0 ? `${head}: ok` : `${head}: NOT AS DECLARED`, ...bad.flatMap((r) => [
    r.expected === null
      ? `    ${r.caseId}: fails (${r.verdict}) but does not declare ${broken} in catches`
      : `    ${r.caseId}: declares ${broken} caught as ${r.expected}, but ` +
        (r.verdict === "pass" ? "it passes" : `it fails otherwise (${r.verdict})`),
    ...(r.why !== undefined ? [`      ${escapeControls(r.why)}`, `      replay: ${r.replay ?? ""}`] : []),
  ])];
}

function controls(report: SuiteReport): string[] {
  if (report.controls.length === 0) return [];
  const brokens = [...new Set(report.controls.map((c) => c.broken))];
  return ["", "negative controls (each broken driver told its correct sibling's cases):",
    ...brokens.flatMap((b) => controlLine(b, report.controls.filter((c) => c.broken === b)))];
}

function claimAnswer(r: RealkernelRow): string {
  if (r.ok) return `real ${r.real}, model matches ${r.matched}`;
  return r.real === 0 ? "NOT IN THE RECORDING" : `MODEL DIFFERS: ${r.differs ?? ""}`;
}

function realkernel(report: SuiteReport): string[] {
  if (report.realkernel.length === 0) return [];
  const rows = report.realkernel.map((r) => [r.requirement, r.caseId, `${r.claim.recording} ${r.claim.step}`,
    r.claim.observes, claimAnswer(r)]);
  return ["", "real kernel (Linux 6.12 recordings replayed with bochs-drm; vdrm realkernel):",
    ...table(["requirement", "case", "recording step", "observes", "answer"], rows).map((l) => `  ${l}`)];
}

export function formatSuiteText(report: SuiteReport, load: readonly number[]): string {
  const failed = report.rows.filter((r) => r.verdict !== "pass").length;
  const badControls = report.controls.filter((c) => !c.ok).length;
  const badReal = report.realkernel.filter((r) => !r.ok).length;
  return [
    ...caseTable(report), ...failures(report), ...controls(report), ...realkernel(report), "",
    `${report.cases.length} case${report.cases.length === 1 ? "" : "s"}: ${report.rows.length - failed} rows pass, ${failed} fail; ` +
      `negative controls ${report.controls.length - badControls} of ${report.controls.length} as declared; ` +
      `real-kernel claims ${report.realkernel.length - badReal} of ${report.realkernel.length} hold`,
    `time: ${report.seconds.toFixed(1)} s (${report.runs} scenario runs answering ${report.answers} ` +
      `case versions; ${report.workers} worker${report.workers === 1 ? "" : "s"}; load average ` +
      `${load.map((l) => l.toFixed(2)).join(" ")})`,
    `verdict: ${report.verdict}`,
  ].join("\n");
}

export function suiteJson(report: SuiteReport): unknown {
  return {
    verdict: report.verdict, seconds: report.seconds, runs: report.runs, workers: report.workers,
    cases: report.cases.map((c) => ({
      id: c.id, file: c.file, requirements: c.requirements, drivers: c.drivers,
      profiles: c.profiles, kernels: c.kernels, catches: c.catches,
    })),
    rows: report.rows, controls: report.controls, realkernel: report.realkernel,
  };
}

function xml(s: string): string {
  return escapeControls(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface JunitCase {
  readonly name: string;
  readonly classname: string;
  readonly failure?: { readonly message: string; readonly text: string };
}

function suite(name: string, cases: readonly JunitCase[]): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const body = cases.map((c) => {
    const head = `    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}"`;
    if (c.failure === undefined) return `${head}/>`;
    return `${head}>\n      <failure message="${xml(c.failure.message)}">${xml(c.failure.text)}</failure>\n    </testcase>`;
  });
  return [`  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${failures}">`, ...body, "  </testsuite>"].join("\n");
}

/** JUnit XML: the cases, the negative controls and the real-kernel claims as three suites. */
export function suiteJunit(report: SuiteReport): string {
  const cases = report.rows.map((r) => ({
    classname: r.requirement, name: `${r.caseId} ${r.driver} ${r.profile} ${versionRange(r.versions)}`,
    ...(r.verdict !== "pass" ? { failure: { message: r.verdict, text: `${r.why ?? ""}\nreplay: ${r.replay ?? ""}` } } : {}),
  }));
  const controlCases = report.controls.map((c) => ({
    classname: c.requirement, name: `${c.caseId} ${c.broken} (${c.expected === null ? "must pass" : `must fail: ${c.expected}`})`,
    ...(!c.ok ? { failure: { message: c.verdict, text: `${c.why ?? "passes"}\nreplay: ${c.replay ?? "-"}` } } : {}),
  }));
  const real = report.realkernel.map((r) => ({
    classname: r.requirement, name: `${r.caseId} ${r.claim.recording} ${r.claim.step}: ${r.claim.observes}`,
    ...(!r.ok ? { failure: { message: "expectation", text: r.differs ?? "not in the recording" } } : {}),
  }));
  return ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>", suite("conformance", cases),
    suite("negative controls", controlCases), suite("real kernel", real), "</testsuites>", ""].join("\n");
}
