/**
 * The Linux 6.12 recording and the model's replay of it, compared observation by observation.
 */
import type { Finding } from "../kernel/mod.js";
import { compareObservations, type Comparison } from "./compare.js";
import { RECORDED_DRIVER } from "./drivers.js";
import { loadFixture, type Fixture } from "./fixture.js";
import { PRIME_RECORDING_PATH, RECORDING_PATH, replayRecording } from "./replay.js";

export { summarize, type Comparison, type Verdict } from "./compare.js";
export { formatComparison, formatHunks, formatSummary, type FormatOptions } from "./format.js";
export { RECORDED_DRIVER, REPLAY_DRIVERS, replayDriver, type ReplayDriver } from "./drivers.js";
export { PRIME_RECORDING_PATH, RECORDING_PATH, REPLAY_SEED } from "./replay.js";

/** The recordings `vdrm realkernel` compares with by default, in order. */
export const RECORDINGS: readonly string[] = [RECORDING_PATH, PRIME_RECORDING_PATH];

/** Whether a recording has group g (PRIME), which the replay then makes too. */
export function hasPrimeGroup(fixture: Fixture): boolean {
  return fixture.observations.some((o) => o.scn.startsWith("g_"));
}
export { parseFixture, type Fixture } from "./fixture.js";

/** Replays the recording's steps against the model and compares every observation with Linux's. */
export function compareWithRecording(path: string = RECORDING_PATH): Comparison[] {
  const fixture = loadFixture(path);
  const replay = replayRecording({ prime: hasPrimeGroup(fixture) });
  return compareObservations(fixture.observations, replay.observations);
}

export interface RecordingComparison {
  /** Every observation of both sides, step by step, in the recording's order. */
  readonly results: readonly Comparison[];
  /** What the model's checkers found during the replay (none for a correct driver). */
  readonly findings: readonly Finding[];
}

/**
 * Compares an already read recording with the model's replay of it with `driver` (a name of
 * REPLAY_DRIVERS). @throws RangeError for a driver not in the table.
 */
export function compareWithFixture(
  fixture: Fixture, driver: string = RECORDED_DRIVER,
): RecordingComparison {
  const replay = replayRecording({ driver, prime: hasPrimeGroup(fixture) });
  const results = compareObservations(fixture.observations, replay.observations);
  return { results, findings: [...replay.world.sim.findings] };
}
