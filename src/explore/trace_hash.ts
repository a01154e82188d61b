/**
 * The trace hash of a run: SHA-256 over its trace events as JSON, to check that the same
 * choices always give the same run (uncontrolled nondeterminism would show as two hashes).
 */
import { createHash } from "node:crypto";
import { jsonText, type TraceEvent } from "../kernel/mod.js";

export function traceHash(events: readonly TraceEvent[]): string {
  const h = createHash("sha256");
  for (const ev of events) h.update(jsonText(ev));
  return h.digest("hex").slice(0, 16);
}
