/**
 * The Linux 6.12 recording and the model's replay of it, compared observation by observation.
 */
import { compareObservations, type Comparison } from "./compare.js";
import { loadFixture, type Fixture } from "./fixture.js";
import { RECORDING_PATH, replayRecording } from "./replay.js";

export { formatComparison, formatMatch, summarize, type Comparison, type Verdict } from "./compare.js";
export { RECORDING_PATH } from "./replay.js";
export { parseFixture, type Fixture } from "./fixture.js";

/** Replays the recording's steps against the model and compares every observation with Linux's. */
export function compareWithRecording(path: string = RECORDING_PATH): Comparison[] {
  return compareObservations(loadFixture(path).observations, replayRecording().observations);
}

/** Compares an already read recording with the model's replay of it. */
export function compareWithFixture(fixture: Fixture): Comparison[] {
  return compareObservations(fixture.observations, replayRecording().observations);
}
