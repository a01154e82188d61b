/**
 * @internal Helpers of the `vdrm exec` tests: whether the machine can run them (umockdev,
 * its bindings, a C compiler, libdrm's and libudev's headers), and the project's C clients,
 * built once into a scratch directory.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadScenarioFile, type Scenario } from "../scenario/mod.js";
import { missingPackages } from "./setup.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function pkgConfig(): string[] | null {
  try {
    return execFileSync("pkg-config", ["--cflags", "--libs", "libdrm", "libudev"], { encoding: "utf8" }).trim().split(/\s+/);
  } catch {
    return null;
  }
}

/**
 * Why the tests of real programs cannot run here, or null when they can. CI installs the
 * packages (.ci/run); elsewhere the tests skip with this reason.
 */
export function execSkipReason(): string | null {
  const missing = missingPackages();
  if (missing.length > 0) return `needs the Debian packages ${missing.map((m) => m.pkg).join(", ")}`;
  if (pkgConfig() === null) return "needs libdrm-dev and libudev-dev (pkg-config libdrm libudev)";
  return null;
}

let built: string | null = null;

/** Builds native/clients/<name>.c with libdrm and libudev; returns the executable's path. */
export function buildClient(name: string): string {
  built ??= mkdtempSync(join(tmpdir(), "vdrm-clients-"));
  const out = join(built, name);
  const src = join(ROOT, "native/clients", `${name}.c`);
  execFileSync("cc", ["-O2", "-Wall", "-Werror", "-o", out, src, ...(pkgConfig() ?? [])], { stdio: "inherit" });
  return out;
}

export function loadScenario(file: string): Scenario {
  const r = loadScenarioFile(join(ROOT, file));
  if (!r.ok) throw new Error(`Cannot load ${file}: ${r.errors.map((e) => e.message).join("; ")}`);
  return r.scenario;
}

/** The lines the C clients print, as "key value" pairs (the first word is the key). */
export function factLines(stdout: string): string[] {
  return stdout.split("\n").filter((l) => l !== "");
}
