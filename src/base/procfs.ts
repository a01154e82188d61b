/**
 * /proc as userspace reads it to find who uses a device (fuser, lsof, a recovery daemon):
 * the process directories (`/proc`, `/proc/self`), each one's `comm`, its open files
 * (`/proc/PID/fd/N`, a link to the file's path), their `fdinfo`, and its `maps`. Any process
 * may read them (the model has no credentials); a pid that is not running is ENOENT.
 *
 * A process's fd table and mm are not tracked objects (see docs/ARCHITECTURE.md); what a
 * line shows of a file or a mapping is set when it is made (its path, its range), and
 * fdinfo is the file's own step (seq_show).
 * @see fs/proc/base.c (proc_pid_readdir, proc_pid_cmdline), fs/proc/fd.c (proc_readfd,
 *      proc_fd_link, seq_show), show_map_vma() in fs/proc/task_mmu.c
 */
import { lookupStep, step, type Task } from "../kernel/mod.js";
import { fail, ok, type DirEntry, type SysResult } from "../uapi/mod.js";
import { DmaBuf } from "./dma_buf.js";
import type { Kernel } from "./kernel.js";
import { PAGE_SIZE, type Vma } from "./mm.js";
import type { Process } from "./process.js";

const PID_DIR = /^\/proc\/(self|\d+)(?:\/(.*))?$/;

/** Where a /proc path points: the process, and the rest of the path ("fd/3", "maps"). */
function target(kernel: Kernel, self: Process, path: string): { proc: Process; rest: string } | null {
  const m = PID_DIR.exec(path);
  if (m === null) return null;
  const proc = m[1] === "self" ? self : kernel.processes.get(Number(m[1]));
  return proc === undefined ? null : { proc, rest: m[2] ?? "" };
}

export function isProcPath(path: string): boolean {
  return path === "/proc" || path.startsWith("/proc/");
}

/** A maps line of `vma`, as show_map_vma() prints it: range, rw-s, offset, dev, inode, path. */
function mapsLine(vma: Vma): string {
  const hex = (n: bigint, width: number): string => n.toString(16).padStart(width, "0");
  const end = vma.start + BigInt(vma.length);
  const dmabuf = vma.file.privateData instanceof DmaBuf ? vma.file.privateData : null;
  const ino = dmabuf?.ino ?? 0;
  const path = dmabuf === null ? vma.file.path : "/dmabuf:";
  const head = `${hex(vma.start, 8)}-${hex(end, 8)} rw-s ${hex(vma.pgoff * BigInt(PAGE_SIZE), 8)} 00:05 ${ino}`;
  return `${head.padEnd(73)}${path}\n`;
}

/** read() of a /proc file; null when `path` is not under /proc. */
export function* procRead(kernel: Kernel, self: Process, path: string): Task<SysResult<string>> {
  yield step("proc_pid_lookup");
  const t = target(kernel, self, path);
  if (t === null) return fail("ENOENT");
  const { proc, rest } = t;
  if (rest === "comm") return ok(`${proc.comm}\n`);
  if (rest === "maps") {
    const vmas = [...proc.mm.vmas].sort((a, b) => (a.start < b.start ? -1 : 1));
    yield lookupStep("show_map", () => ({ reads: vmas.map((v) => v.file), writes: [] }));
    return ok(vmas.map(mapsLine).join(""));
  }
  const fdinfo = /^fdinfo\/(\d+)$/.exec(rest);
  if (fdinfo !== null) return yield* proc.procFdinfo(Number(fdinfo[1]));
  return fail(rest === "" || rest === "fd" || rest === "fdinfo" ? "EISDIR" : "ENOENT");
}

/** readlink() of /proc/PID/fd/N: the file's path ("/dev/dri/card0", "anon_inode:dmabuf"). */
export function* procReadlink(kernel: Kernel, self: Process, path: string): Task<SysResult<string>> {
  yield step("proc_fd_link");
  const t = target(kernel, self, path);
  if (t === null) return fail("ENOENT");
  const fd = /^fd\/(\d+)$/.exec(t.rest);
  if (fd === null) return fail(t.rest === "" ? "EINVAL" : "ENOENT");
  const file = t.proc.fds.get(Number(fd[1]));
  return file === undefined ? fail("ENOENT") : ok(file.path);
}

/** readdir() of /proc, /proc/PID, /proc/PID/fd and /proc/PID/fdinfo. */
export function* procReaddir(kernel: Kernel, self: Process, path: string): Task<SysResult<readonly DirEntry[]>> {
  yield step("proc_readdir");
  if (path === "/proc" || path === "/proc/") {
    const pids = [...kernel.processes.keys()].sort((a, b) => a - b);
    return ok([{ name: "self", kind: "link" }, ...pids.map((p) => ({ name: String(p), kind: "dir" as const }))]);
  }
  const t = target(kernel, self, path);
  if (t === null) return fail("ENOENT");
  const fds = [...t.proc.fds.keys()].sort((a, b) => a - b).map(String);
  switch (t.rest) {
    case "": return ok(["comm", "fd", "fdinfo", "maps"].map((name) => ({ name, kind: name.startsWith("fd") ? "dir" as const : "file" as const })));
    case "fd": return ok(fds.map((name) => ({ name, kind: "link" as const })));
    case "fdinfo": return ok(fds.map((name) => ({ name, kind: "file" as const })));
    default: return fail("ENOTDIR");
  }
}
