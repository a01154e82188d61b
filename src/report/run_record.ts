/**
 * A run record: everything the HTML timeline report needs to draw one run of a scenario.
 *
 * The record is plain data (it survives a JSON round trip), so a run can be saved by the CLI and
 * rendered later. The trace is the source of truth: it says which device each object belongs
 * to (the alloc events' owners; see device_lanes.ts).
 */
import type { TraceEvent } from "../kernel/trace.js";

export interface RunRecord {
  /** What the run is called in the report, e.g. the scenario name; unique within a report. */
  readonly title: string;
  readonly seed: number;
  /** The kernel behaviour profile, e.g. "mainline 6.12". */
  readonly profile: string;
  /** "pass" | "expectation" | "memory" | "hang" | "leak" | "warn", or another class name. */
  readonly verdict: string;
  /** The command that replays the run, shown ready to paste. */
  readonly replay: string;
  readonly events: readonly TraceEvent[];
}
