/**
 * The test suite's guard on footprints (installed by src/_test_setup.ts): an undeclared access
 * fails the test file that made it, even when its test asserts nothing about findings: the
 * file exits non-zero and prints each one. A test that provokes them on purpose says so with
 * expectUndeclaredAccesses(sim).
 */
import { findingSummary } from "./findings.js";
import { setUndeclaredAccessObserver, undeclaredAccessObserver } from "./footprint.js";
import type { Sim } from "./sim.js";

const expecting = new WeakSet<object>();
const unexpected: string[] = [];

/** Undeclared accesses of `sim` are what its test checks for: they do not fail the file. */
export function expectUndeclaredAccesses(sim: Sim): void {
  expecting.add(sim);
}

/** Makes every undeclared access of a Sim not expecting them fail the process at exit. */
export function failOnUndeclaredAccesses(): void {
  if (undeclaredAccessObserver() !== null) return;
  setUndeclaredAccessObserver((sim, finding) => {
    if (!expecting.has(sim)) unexpected.push(findingSummary(finding));
  });
  process.on("exit", () => {
    if (unexpected.length === 0) return;
    process.stderr.write(`${unexpected.length} undeclared access(es) in ${process.argv.at(-1) ?? "?"}:\n`);
    for (const line of unexpected) process.stderr.write(`  ${line}\n`);
    process.exitCode = 1;
  });
}
