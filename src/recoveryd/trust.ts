/**
 * Before a root daemon trusts its configuration and its journal: each must be a regular file
 * owned by root (or by the daemon's own user) that neither the group nor others may write, in
 * a directory nobody else may write either; a config anyone could edit would let them choose
 * the programs a root daemon starts, a journal anyone could edit would let them choose the
 * steps it skips. Checked only when the daemon runs as root (uid 0), as sshd and sudo check.
 */
import { lstatSync, statSync, type Stats } from "node:fs";
import { dirname } from "node:path";

function problem(path: string, st: Stats, what: string, euid: number, isDir: boolean): string | null {
  if (st.uid !== 0 && st.uid !== euid) return `${what} ${path} is owned by uid ${st.uid}, not root`;
  const writable = st.mode & 0o022;
  const sticky = isDir && (st.mode & 0o1000) !== 0;
  if (writable !== 0 && !sticky) return `${what} ${path} may be written by ${st.mode & 0o020 ? "its group" : "others"} (mode ${(st.mode & 0o7777).toString(8).padStart(4, "0")})`;
  return null;
}

/** The problems that make `path` untrustworthy for a daemon of uid `euid`; a missing file may be made later. */
export function trustProblems(path: string, what: string, euid: number, mustExist: boolean): string[] {
  if (euid !== 0) return [];
  const out: string[] = [];
  try {
    const l = lstatSync(path);
    if (l.isSymbolicLink()) out.push(`${what} ${path} is a symbolic link`);
    else if (!l.isFile()) out.push(`${what} ${path} is not a regular file`);
    else {
      const p = problem(path, l, what, euid, false);
      if (p !== null) out.push(p);
    }
  } catch (e) {
    if (mustExist || (e as NodeJS.ErrnoException).code !== "ENOENT") out.push(`cannot check ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const dir = dirname(path);
    const p = problem(dir, statSync(dir), `the directory of ${what}`, euid, true);
    if (p !== null) out.push(p);
  } catch {
    // A missing directory is made by the daemon, mode 0700.
  }
  return out;
}
