/**
 * `vdrm replay TOKEN MODEL-FILE`: reruns a model file's counterexample (an m1. token printed by
 * `vdrm explore MODEL-FILE`) with the parameters the token holds, and prints it as the
 * explorer did: the oracle failed, one line per transition, the verdict; the exit code is the
 * verdict's. A model's run is a path through a vector of variables, not a world: there is no
 * kernel timeline to draw, so `--html` is refused (exit 2), as is a token that does not fit.
 */
import { InvalidArgumentError } from "commander";
import {
  decodeModelToken, isModelText, isModelToken, loadModelFile, ModelReplayMismatch, readModelText,
  replayModel, type ModelToken,
} from "../explore/mod.js";
import { escapeControls, type ReplayToken } from "../scenario/mod.js";
import { modelStepLines, verdictOf } from "./cmd_explore_model.js";
import { CliError } from "./errors.js";
import { EXIT } from "./exit.js";
import type { Io } from "./io.js";
import { parseReplayToken } from "./replay_args.js";

export type AnyReplayToken =
  | { readonly kind: "scenario"; readonly token: ReplayToken }
  | { readonly kind: "model"; readonly token: ModelToken };

/** `vdrm replay`'s TOKEN: a scenario run's (v1.) or a model's counterexample (m1.). */
export function parseAnyReplayToken(v: string): AnyReplayToken {
  if (!isModelToken(v)) return { kind: "scenario", token: parseReplayToken(v) };
  const r = decodeModelToken(v);
  if (!r.ok) throw new InvalidArgumentError(r.message);
  return { kind: "model", token: r.token };
}

/** Whether `file` reads as a model file (a scenario token cannot replay on one). */
export function isModelFile(file: string): boolean {
  const text = readModelText(file);
  return text !== null && isModelText(text);
}

function defineArgs(t: ModelToken): string[] {
  return Object.entries(t.defines).map(([k, v]) => `${k}=${v === true ? 1 : v === false ? 0 : v}`);
}

export function replayModelCommand(
  token: ModelToken, file: string, o: { readonly html?: string; readonly maxSteps?: number }, io: Io,
): number {
  if (o.html !== undefined) {
    throw new CliError("--html: a model's run is a path through its variables, not a world: there is no " +
      "kernel timeline to draw (the steps are printed without --html)", "replay");
  }
  if (o.maxSteps !== undefined) throw new CliError("--max-steps: a model's run has no step budget", "replay");
  if (!isModelFile(file)) {
    throw new CliError(`${file}: not a model file; this token (m1.) is a model's counterexample, ` +
      "printed by vdrm explore on a model file", "replay");
  }
  const loaded = loadModelFile(file, defineArgs(token));
  const fits = loaded.ok && loaded.model.name === token.model;
  if (!loaded.ok || !fits) {
    const why = loaded.ok ? `it is of model ${token.model}, the file of ${loaded.model.name}`
      : `its parameters do not fit the file (${loaded.errors[0]?.message ?? "?"})`;
    throw new CliError(`${file}: the token does not fit: ${why}`, "replay");
  }
  const mf = loaded.model;
  let run;
  try {
    run = replayModel(mf.model, token.decisions);
  } catch (e) {
    if (!(e instanceof ModelReplayMismatch)) throw e;
    throw new CliError(`${file}: ${e.message}; the token does not fit this model (it was printed for ` +
      "other parameters, or vdrm changed since)", "replay");
  }
  const params = Object.entries(mf.defines).map(([k, v]) => `${k}=${v === true ? 1 : v === false ? 0 : v}`);
  io.out(escapeControls(`replay ${mf.name} (${file}): ${params.join(" ")}, ${token.decisions.length} transitions`));
  const v = run.violation;
  if (v !== null) {
    io.out(`failure: ${verdictOf(v)} (${v.kind})`);
    io.out(`  ${v.kind}: ${v.message}`);
  }
  io.out("steps:");
  for (const line of modelStepLines(mf, run.trail)) io.out(line);
  io.out(`verdict: ${v === null ? "pass" : verdictOf(v)}`);
  return v === null ? EXIT.pass : EXIT[verdictOf(v)];
}
