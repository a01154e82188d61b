/**
 * Cases whose requirement a real-kernel recording (fixtures/realkernel/) observes name the
 * observations (`realkernel:` in the case: the recording, its step, and the start of the
 * observation as `vdrm realkernel` prints it). The suite checks both sides: the recording
 * holds such an observation (the real kernel behaves as the requirement says), and the model,
 * replaying the recording with the recorded driver, answers the same at each of them.
 */
import { dirname, join } from "node:path";
import { compareWithFixture, RECORDED_DRIVER, RECORDING_PATH, type Comparison } from "../realkernel/mod.js";
import { loadFixture } from "../realkernel/fixture.js";
import type { ConformanceCase, RealkernelClaim } from "./case.js";

export const RECORDING_DIR = dirname(RECORDING_PATH);

export interface RealkernelRow {
  readonly caseId: string;
  readonly requirement: string;
  readonly claim: RealkernelClaim;
  /** How many of the recording's observations the claim names. */
  readonly real: number;
  /** How many of those the model answered the same. */
  readonly matched: number;
  readonly ok: boolean;
  /** The first observation the model answered otherwise: real and model side. */
  readonly differs?: string;
}

function matching(results: readonly Comparison[], claim: RealkernelClaim): Comparison[] {
  return results.filter((r) => r.scn === claim.step && r.real !== null && r.real.startsWith(claim.observes));
}

/** Checks every claim of the cases; each recording is replayed once. */
export function checkRealkernel(cases: readonly ConformanceCase[]): RealkernelRow[] {
  const replays = new Map<string, readonly Comparison[]>();
  const replayOf = (recording: string): readonly Comparison[] => {
    let r = replays.get(recording);
    if (r === undefined) {
      r = compareWithFixture(loadFixture(join(RECORDING_DIR, recording)), RECORDED_DRIVER).results;
      replays.set(recording, r);
    }
    return r;
  };
  return cases.flatMap((c) => c.realkernel.map((claim): RealkernelRow => {
    const hits = matching(replayOf(claim.recording), claim);
    const bad = hits.find((h) => h.verdict !== "match");
    const matched = hits.filter((h) => h.verdict === "match").length;
    return {
      caseId: c.id, requirement: c.requirement, claim, real: hits.length, matched,
      ok: hits.length > 0 && bad === undefined,
      ...(bad !== undefined ? { differs: `real: ${bad.real ?? "-"}; model: ${bad.model ?? "-"}` } : {}),
    };
  }));
}
