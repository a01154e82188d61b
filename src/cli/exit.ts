/**
 * Exit codes of the vdrm command: 0 pass, 1 expectation not met, 2 bad input, 3 memory finding
 * (use-after-free, double free, kref), 4 hang, 5 leak, 6 WARN, 7 a program still blocked at
 * the end that the scenario did not allow to end blocked, 9 footprint (a step touched an
 * object it did not declare).
 */
export const EXIT = { pass: 0, expectation: 1, input: 2, memory: 3, hang: 4, leak: 5, warn: 6, blocked: 7, footprint: 9 } as const;
export type Verdict = keyof typeof EXIT;

/** When runs fail differently, the exit code names the most serious class. */
const SEVERITY: readonly Verdict[] = ["input", "memory", "hang", "leak", "warn", "footprint", "blocked", "expectation", "pass"];

export function worst(verdicts: Iterable<Verdict>): Verdict {
  let w: Verdict = "pass";
  for (const v of verdicts) if (SEVERITY.indexOf(v) < SEVERITY.indexOf(w)) w = v;
  return w;
}
