/**
 * Durations in scenarios: a number of milliseconds, or a string with a unit
 * ("250us", "10ms", "2s"). The simulation counts microseconds.
 */
const UNIT_US = { us: 1, ms: 1000, s: 1_000_000 } as const;

/** Microseconds, or null when the text is not a duration. */
export function parseDurationUs(v: number | string): number | null {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s)\s*$/.exec(v);
  if (m === null) return null;
  return Math.round(Number(m[1]) * UNIT_US[m[2] as keyof typeof UNIT_US]);
}

export function formatDurationUs(us: number): string {
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1000 === 0) return `${us / 1000}ms`;
  return `${us}us`;
}
