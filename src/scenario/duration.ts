/**
 * Durations in scenario files. The scenario format counts microseconds, like the simulation's
 * ticks and the JSON output's `*Us` fields: a duration is a string with a unit ("250us",
 * "10ms", "2s"; "µs" is "us") or a bare whole number of microseconds. The units are converted
 * in src/kernel/time.ts, nowhere else.
 */
import { US_PER_MS, US_PER_S, usFrom, type TimeUnit } from "../kernel/mod.js";

const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)\s*$/;

/** Microseconds, or null when the value is not a duration. */
export function parseDurationUs(v: number | string): number | null {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? usFrom(v, "us") : null;
  const m = DURATION_PATTERN.exec(v);
  if (m === null) return null;
  const unit = (m[2] === "µs" ? "us" : m[2]) as TimeUnit;
  return usFrom(Number(m[1]), unit);
}

/** The shortest exact text for a duration: "2s", "10ms", "250us". */
export function formatDurationUs(us: number): string {
  if (us % US_PER_S === 0 && us !== 0) return `${us / US_PER_S}s`;
  if (us % US_PER_MS === 0 && us !== 0) return `${us / US_PER_MS}ms`;
  return `${us}us`;
}
