/**
 * Time units, and the only place that converts between them.
 *
 * - The simulation counts ticks; one tick is one simulated microsecond (Sim, sleepTicks,
 *   wait timeouts, trace events).
 * - System calls keep Linux's units in their signatures: poll(2)'s timeout is in
 *   milliseconds, clock_gettime() is read in microseconds (src/uapi/syscalls.ts); the
 *   process model converts here on entry.
 * - Scenario files count microseconds: a duration is written with a unit ("250us", "10ms",
 *   "2s"), a bare number is microseconds, and the JSON output's `*Us` fields are microseconds
 *   (src/scenario/duration.ts parses the text and converts here).
 */
/** One tick is one microsecond. */
export const TICKS_PER_US = 1;
export const US_PER_MS = 1000;
export const US_PER_S = 1_000_000;

export type TimeUnit = "us" | "ms" | "s";

const US_PER_UNIT: { readonly [U in TimeUnit]: number } = { us: 1, ms: US_PER_MS, s: US_PER_S };

/** `value` `unit`s in whole microseconds (rounded to the nearest). */
export function usFrom(value: number, unit: TimeUnit): number {
  return Math.round(value * US_PER_UNIT[unit]);
}

/** Microseconds in whole ticks. */
export function ticksFromUs(us: number): number {
  return Math.round(us * TICKS_PER_US);
}

/** Milliseconds (a syscall's timeout or sleep) in whole ticks. */
export function ticksFromMs(ms: number): number {
  return ticksFromUs(ms * US_PER_MS);
}

/** Ticks in microseconds (clock_gettime, timestamps in outputs). */
export function usFromTicks(ticks: number): number {
  return ticks / TICKS_PER_US;
}

/** Microseconds as the milliseconds a syscall takes; fractions are kept (250 µs is 0.25 ms). */
export function msFromUs(us: number): number {
  return us / US_PER_MS;
}

/** Ticks in seconds, for `[   1.000123]` timestamps as dmesg prints them. */
export function secondsFromTicks(ticks: number): number {
  return usFromTicks(ticks) / US_PER_S;
}

/** Nanoseconds per tick (a tick is one microsecond). */
const NS_PER_TICK = 1000n;

/**
 * Nanoseconds (an ioctl's __u64 or __s64 duration, an absolute CLOCK_MONOTONIC time) in whole
 * ticks, rounded up: a kernel timeout never ends early (as nsecs_to_jiffies64() plus one
 * jiffy does). Negative values give 0.
 */
export function ticksFromNsCeil(ns: bigint): number {
  if (ns <= 0n) return 0;
  return Number((ns + NS_PER_TICK - 1n) / NS_PER_TICK);
}

/** Ticks in nanoseconds (CLOCK_MONOTONIC as ktime_get() gives it, a fence's timestamp). */
export function nsFromTicks(ticks: number): bigint {
  return BigInt(ticks) * NS_PER_TICK;
}
