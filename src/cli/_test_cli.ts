/**
 * @internal Test helpers for the CLI tests: run the built command (`node dist/cli/main.js`)
 * as a user would, and scratch files.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const MAIN = join(ROOT, "dist/cli/main.js");
/** Loaded with --import, makes the `sleep` step assert (see _test_crash_hook.ts). */
export const CRASH_HOOK = join(ROOT, "dist/cli/_test_crash_hook.js");

export interface Spawned {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The first line of standard error. */
  readonly err1: string;
}

export interface SpawnOptions {
  readonly nodeArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly limitMs?: number;
}

/**
 * Runs the built vdrm command in the repository root. A run that does not end within
 * `limitMs` is killed (a safety net so that a regression to a hang fails instead of stalling
 * the suite; no test asserts a duration).
 */
export function vdrm(args: readonly string[], o: SpawnOptions = {}): Spawned {
  const r = spawnSync(process.execPath, [...(o.nodeArgs ?? []), MAIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: o.limitMs ?? 120_000,
    env: { ...process.env, ...o.env },
  });
  const err1 = r.stderr.split("\n")[0] ?? "";
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, err1 };
}

/** `vdrm(args)` with the arguments spread: `vdrmArgs("run", file, "--seed", "7")`. */
export function vdrmArgs(...args: string[]): Spawned {
  return vdrm(args);
}

/**
 * Bad input refused before anything ran: exit 2, `first` (the text, or a pattern) as the first
 * line of standard error, nothing on standard output and no stack trace.
 */
export function assertRefused(r: Spawned, first: string | RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  if (typeof first === "string") assert.equal(r.err1, first);
  else assert.match(r.err1, first);
  assert.equal(r.stdout, "", "nothing ran");
  assert.doesNotMatch(r.stderr, /^\s+at /m);
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), "vdrm-cli-"));
}

export function scratchFile(dir: string, name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** A scenario whose only expectation cannot hold: opening a present card fails with ENODEV. */
export const UNMET = "programs:\n  a:\n    - open: /dev/dri/card0\n      expect: ENODEV\n";
