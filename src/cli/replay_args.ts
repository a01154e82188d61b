/**
 * `--replay TOKEN` for the commands that run a world (`run`, `igt`): parsing the token, taking
 * the seed, profile, kernel and decisions from it, refusing options that contradict it, and
 * the message for a token that does not fit the run.
 */
import { InvalidArgumentError } from "commander";
import type { KernelVersion, ProfileName } from "../base/mod.js";
import type { ReplayMismatchError } from "../kernel/mod.js";
import { decodeReplayToken, type ReplayToken } from "../scenario/mod.js";

/** A replay token printed by `vdrm run` or `vdrm igt` (src/scenario/replay_token.ts). */
export function parseReplayToken(v: string): ReplayToken {
  const r = decodeReplayToken(v);
  if (r.ok) return r.token;
  throw new InvalidArgumentError(r.message);
}

export interface ReplayArgs {
  readonly seed?: number;
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  readonly replay?: ReplayToken;
}

/** What a run is told; an absent field means the command's default (or the scenario file's). */
export interface RunSettings {
  readonly seed?: number;
  readonly profile?: ProfileName;
  readonly kernel?: KernelVersion;
  /** The decision list to replay; absent: schedule from the seed. */
  readonly decisions?: readonly number[];
}

export type SettingsResult =
  | { readonly ok: true; readonly settings: RunSettings }
  | { readonly ok: false; readonly message: string };

/**
 * The options as given, or with --replay the token's seed, profile, kernel and decisions. An
 * option that says otherwise than the token is refused (the message names both values); the
 * same value is accepted.
 */
export function runSettings(o: ReplayArgs): SettingsResult {
  const token = o.replay;
  if (token === undefined) {
    const { seed, profile, kernel } = o;
    const settings = {
      ...(seed !== undefined ? { seed } : {}),
      ...(profile ? { profile } : {}),
      ...(kernel ? { kernel } : {}),
    };
    return { ok: true, settings };
  }
  const keys = ["seed", "profile", "kernel"] as const;
  const conflicts = keys.filter((k) => o[k] !== undefined && o[k] !== token[k]);
  if (conflicts.length === 0) {
    const { seed, profile, kernel, decisions } = token;
    return { ok: true, settings: { seed, profile, kernel, decisions } };
  }
  const one = conflicts.length === 1;
  const given = conflicts.map((k) => `--${k} ${o[k]}`).join(", ");
  const held = conflicts.map((k) => `${k} ${token[k]}`).join(", ");
  const message =
    `${given} ${one ? "conflicts" : "conflict"} with the replay token (${held}); ` +
    `the token sets the seed, profile and kernel: drop ${one ? "the option" : "those options"}`;
  return { ok: false, message };
}

/** A replay that no longer fits: what failed, and the likely reasons. */
export function replayMismatchMessage(e: ReplayMismatchError): string {
  const why = "it was printed for another one, or the scenario or vdrm changed since";
  return `${e.message}; the token does not fit this run (${why})`;
}
