/**
 * The demo's conformance part: every case of `conformance/` at one seed (`vdrm conformance`
 * runs ten), with the negative controls and the real-kernel claims, summarised in two lines;
 * a failure prints the suite's whole report.
 */
import { loadavg } from "node:os";
import { CASE_DIR, formatSuiteText, loadCases, runSuiteInThread } from "../conformance/mod.js";
import type { Verdict } from "./exit.js";
import type { Io } from "./io.js";

export function demoConformance(io: Io): Verdict[] {
  io.out("");
  io.out("vdrm conformance (one seed; `vdrm conformance` runs ten), every requirement's case:");
  const loaded = loadCases(CASE_DIR);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(e);
    return ["input"];
  }
  const report = runSuiteInThread(loaded.cases, { seeds: 1 });
  const text = formatSuiteText(report, loadavg()).split("\n");
  if (report.verdict !== "pass") {
    for (const l of text) io.out(`  ${l}`);
    return [report.verdict];
  }
  for (const l of text.slice(-3, -1)) io.out(`  ${l}`);
  return [];
}
