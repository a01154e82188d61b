/**
 * Which rules files udev reads, in which order: every `*.rules` file of the rules directories,
 * sorted together by file name (byte order); a name in an earlier directory hides the same
 * name in a later one (/etc over /run over /usr/local/lib over /usr/lib), and a file that is
 * empty or a symlink to /dev/null hides it and adds nothing (how an administrator disables a
 * packaged file).
 *
 * @see udev_rules_load() and conf_files_list_strv() in systemd; "Rules Files" in udev(7)
 */
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parseRulesFile, type RuleFile, type RuleSet } from "./rules.js";
import type { Diagnostic } from "./rules_keys.js";

export const UDEV_RULES_DIRS: readonly string[] = ["/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d", "/usr/lib/udev/rules.d"];

export interface RulesFileChoice {
  /** The files to read, in the order udev reads them. */
  readonly files: readonly string[];
  /** Files hidden by a same-name file in an earlier directory, or masked. */
  readonly hidden: readonly { readonly path: string; readonly by: string }[];
}

function masks(path: string): boolean {
  try {
    return realpathSync(path) === "/dev/null" || statSync(path).size === 0;
  } catch {
    return false;
  }
}

/**
 * The files udev would read from `paths` (directories, in precedence order, or single files,
 * which take part in the same precedence by their name). A missing directory is skipped.
 * @throws Error when a path given as a file cannot be read
 */
export function chooseRulesFiles(paths: readonly string[]): RulesFileChoice {
  const chosen = new Map<string, string>();
  const hidden: { path: string; by: string }[] = [];
  const offer = (path: string): void => {
    const name = basename(path);
    const winner = chosen.get(name);
    if (winner === undefined) chosen.set(name, path);
    else hidden.push({ path, by: winner });
  };
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      if (UDEV_RULES_DIRS.includes(p)) continue;
      throw new Error(`Cannot read rules ${p}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    if (!isDir) offer(p);
    else for (const name of readdirSync(p).filter((n) => n.endsWith(".rules"))) offer(join(p, name));
  }
  const files: string[] = [];
  for (const name of [...chosen.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const path = chosen.get(name)!;
    if (masks(path)) hidden.push({ path: name, by: path });
    else files.push(path);
  }
  return { files, hidden };
}

/** Reads and parses `files` in order. @throws Error when a file cannot be read */
export function loadRulesFiles(files: readonly string[]): RuleSet {
  const diagnostics: Diagnostic[] = [];
  const parsed: RuleFile[] = files.map((f) => parseRulesFile(readFileSync(f, "utf8"), f, diagnostics));
  return { files: parsed, diagnostics };
}

/** Parses rules given as text (tests, benchmarks): `[name, content]` pairs in order. */
export function parseRuleSet(sources: readonly (readonly [string, string])[]): RuleSet {
  const diagnostics: Diagnostic[] = [];
  return { files: sources.map(([name, content]) => parseRulesFile(content, name, diagnostics)), diagnostics };
}
