/**
 * A worker thread of `vdrm conformance`: loads the cases it is sent (once each) and runs
 * their jobs, answering each with its result (./pool.ts).
 */
import { parentPort } from "node:worker_threads";
import { loadCase, type ConformanceCase } from "./case.js";
import { executeJob, type Job } from "./execute.js";

const cases = new Map<string, ConformanceCase>();

function caseOf(file: string): ConformanceCase {
  let c = cases.get(file);
  if (c === undefined) {
    const r = loadCase(file);
    if (!r.ok) throw new Error(r.errors.join("\n"));
    c = r.case;
    cases.set(file, c);
  }
  return c;
}

parentPort?.on("message", (m: { readonly index: number; readonly job: Job }) => {
  try {
    parentPort!.postMessage({ index: m.index, result: executeJob(caseOf(m.job.caseFile).scenario, m.job) });
  } catch (e) {
    parentPort!.postMessage({ index: m.index, error: e instanceof Error ? e.message : String(e) });
  }
});
