/**
 * What `vdrm exec` needs from the machine, checked before anything runs: umockdev's preload
 * and wrapper, its GObject introspection data with python3-gi (the testbed helper), and a C
 * compiler for vdrm's shim, which is built on first use into a cache directory (or ahead of
 * time by `npm run shim`). A missing piece is named with the Debian package that has it.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SYSTEM_PYTHON } from "./testbed.js";

/** The shim's sources: native/shim/, one concept a file (shim.h says which). */
export const SHIM_DIR = fileURLToPath(new URL("../../native/shim/", import.meta.url));
export const UMOCKDEV_PRELOAD = "libumockdev-preload.so.0";

export class ExecSetupError extends Error {}

interface Requirement {
  readonly what: string;
  readonly pkg: string;
  readonly present: () => boolean;
}

function runs(cmd: string, args: readonly string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function libraryPresent(name: string): boolean {
  try {
    return execFileSync("ldconfig", ["-p"], { encoding: "utf8" }).includes(name);
  } catch {
    return ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"].some((d) => existsSync(join(d, name)));
  }
}

const REQUIREMENTS: readonly Requirement[] = [
  { what: "umockdev's preload library", pkg: "libumockdev0", present: () => libraryPresent(UMOCKDEV_PRELOAD) },
  { what: "umockdev-wrapper", pkg: "umockdev", present: () => runs("sh", ["-c", "command -v umockdev-wrapper"]) },
  {
    what: "umockdev's GObject bindings for Python (the testbed helper)",
    pkg: "gir1.2-umockdev-1.0 python3-gi",
    present: () => runs(SYSTEM_PYTHON, ["-c", "import gi; gi.require_version('UMockdev', '1.0'); from gi.repository import UMockdev"]),
  },
  { what: "a C compiler (vdrm's preload shim)", pkg: "gcc", present: () => runs("sh", ["-c", "command -v cc || command -v gcc"]) },
];

/** The Debian packages missing for `vdrm exec`, each with what it gives; empty when all are there. */
export function missingPackages(): { what: string; pkg: string }[] {
  return REQUIREMENTS.filter((r) => !r.present()).map(({ what, pkg }) => ({ what, pkg }));
}

/** Throws ExecSetupError naming every missing package and the apt-get line that installs them. */
export function checkSetup(): void {
  const missing = missingPackages();
  if (missing.length > 0) throw new ExecSetupError(setupMessage(missing));
}

/** The message naming the missing packages, each with what it gives, and how to install them. */
export function setupMessage(missing: readonly { what: string; pkg: string }[]): string {
  const lines = missing.map((m) => `  ${m.pkg}: ${m.what}`);
  const pkgs = [...new Set(missing.flatMap((m) => m.pkg.split(" ")))].join(" ");
  return `missing Debian packages:\n${lines.join("\n")}\n` +
    `Install them with: apt-get install ${pkgs}`;
}

/** Where the built shim is kept: $XDG_CACHE_HOME/vdrm (else ~/.cache/vdrm). */
export function shimCacheDir(): string {
  const base = process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache");
  return join(base, "vdrm");
}

/** The shim's C files and header, sorted, and a digest of their names and contents. */
function shimSources(): { files: string[]; digest: string } {
  const names = readdirSync(SHIM_DIR).filter((f) => f.endsWith(".c") || f.endsWith(".h")).sort();
  const hash = createHash("sha256");
  for (const name of names) {
    hash.update(name).update("\0").update(readFileSync(join(SHIM_DIR, name)));
  }
  const files = names.filter((f) => f.endsWith(".c")).map((f) => join(SHIM_DIR, f));
  return { files, digest: hash.digest("hex") };
}

/**
 * The shim's shared object, built with the C compiler when there is none for these sources:
 * its name holds their digest, so two checkouts of different versions sharing the cache never
 * load each other's shim.
 * @throws ExecSetupError with the compiler's message when it does not build
 */
export function buildShim(dir = shimCacheDir()): string {
  const { files, digest } = shimSources();
  const out = join(dir, `vdrm_shim-${digest.slice(0, 16)}.so`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const args = ["-shared", "-fPIC", "-O2", "-Wall", "-o", tmp, ...files, "-ldl", "-lpthread"];
  try {
    execFileSync("cc", args, { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString("utf8") ?? String(e);
    throw new ExecSetupError(`Cannot build vdrm's preload shim from ${SHIM_DIR}:\n${stderr}`);
  }
  renameSync(tmp, out);
  return out;
}
