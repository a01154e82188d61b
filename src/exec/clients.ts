/**
 * The project's C clients (native/clients/*.c: real libdrm and libudev programs), built with
 * the machine's C compiler for the tests and benchmarks of `vdrm exec`, and whether this
 * machine can build and run them (umockdev, its bindings, a C compiler, libdrm's and
 * libudev's headers).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { missingPackages } from "./setup.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function pkgConfig(): string[] | null {
  try {
    const flags = execFileSync("pkg-config", ["--cflags", "--libs", "libdrm", "libudev"], { encoding: "utf8" });
    return flags.trim().split(/\s+/);
  } catch {
    return null;
  }
}

/**
 * Why the C clients cannot run here under `vdrm exec`, or null when they can. CI installs the
 * packages (.ci/run); elsewhere the tests and benchmarks that need them skip with this reason.
 */
export function clientsSkipReason(): string | null {
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
  const args = ["-O2", "-Wall", "-Werror", "-o", out, src, ...(pkgConfig() ?? [])];
  execFileSync("cc", args, { stdio: "inherit" });
  return out;
}
