/**
 * A run record: everything the HTML timeline report needs to draw one run of a scenario.
 *
 * The record is plain data (it survives a JSON round trip), so a run can be saved by the CLI and
 * rendered later. The trace is the source of truth; `devices` only groups allocation ids into
 * one lane per device, because the trace does not say which device an object belongs to.
 */
import type { TraceEvent } from "../kernel/trace.js";

/** The objects (allocation ids) that belong to one device, e.g. "0000:01:00.0". */
export interface DeviceLaneSpec {
  /** The lane name, usually the PCI address or the devpath of the parent device. */
  readonly name: string;
  /** Ids of the "alloc" trace events drawn on this lane: its drm_device, minors, files, ... */
  readonly allocIds: readonly number[];
}

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
  readonly devices: readonly DeviceLaneSpec[];
}
