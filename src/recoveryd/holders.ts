/**
 * Who still uses a device, read from procfs as `fuser` and `lsof` read it: a process holds the
 * device when one of its file descriptors is one of the device's nodes (`/proc/PID/fd/N`
 * links to /dev/dri/card0 or renderD128), or a DRM file of that PCI device (`drm-pdev:` in
 * its fdinfo), or a dma-buf the device's driver exported (`exp_name:` in its fdinfo), or when
 * it maps one of the nodes or one of those dma-bufs (`/proc/PID/maps`, by path or by inode).
 *
 * @see Documentation/gpu/drm-usage-stats.rst (drm-pdev), Documentation/filesystems/proc.rst
 * (fdinfo of a dma-buf: exp_name, ino)
 */
import type { Call } from "../uapi/mod.js";
import type { ProcfsAccess } from "./host.js";

export interface DeviceIdentity {
  /** Device node paths: ["/dev/dri/card0", "/dev/dri/renderD128"]. */
  readonly nodes: readonly string[];
  readonly bdf: string;
  readonly driver: string | null;
}

export interface Holder {
  readonly pid: number;
  readonly comm: string;
  /** What it holds: "fd 5 /dev/dri/card0", "fd 9 dma-buf of xe", "map /dev/dri/renderD128". */
  readonly what: readonly string[];
}

function field(info: string, key: string): string | undefined {
  const m = new RegExp(`^${key}:\\s*(.*)$`, "m").exec(info);
  return m?.[1]?.trim();
}

function* fdHolds(proc: ProcfsAccess, pid: number, id: DeviceIdentity, dmabufInodes: Set<string>): Call<string[]> {
  const what: string[] = [];
  for (const { fd, target } of yield* proc.fds(pid)) {
    if (id.nodes.includes(target)) {
      what.push(`fd ${fd} ${target}`);
      continue;
    }
    const isDmabuf = target.includes("dmabuf");
    const mayBeDrm = target.startsWith("/dev/dri/") || target.startsWith("anon_inode:");
    if (!isDmabuf && !mayBeDrm) continue;
    const info = yield* proc.fdinfo(pid, fd);
    if (info === null) continue;
    if (field(info, "drm-pdev") === id.bdf) what.push(`fd ${fd} ${target} (drm-pdev ${id.bdf})`);
    else if (isDmabuf && id.driver !== null && field(info, "exp_name") === id.driver) {
      what.push(`fd ${fd} dma-buf of ${id.driver}`);
      const ino = field(info, "ino");
      if (ino !== undefined) dmabufInodes.add(ino);
    }
  }
  return what;
}

/** The inode column of a maps line and its path (may hold spaces). */
function mapsEntry(line: string): { inode: string; path: string } | null {
  const m = /^\S+\s+\S+\s+\S+\s+\S+\s+(\d+)\s*(.*)$/.exec(line);
  return m === null ? null : { inode: m[1]!, path: m[2]! };
}

function mapHolds(maps: string | null, id: DeviceIdentity, dmabufInodes: ReadonlySet<string>): string[] {
  const what = new Set<string>();
  for (const line of (maps ?? "").split("\n")) {
    const e = mapsEntry(line);
    if (e === null) continue;
    if (id.nodes.includes(e.path)) what.add(`map ${e.path}`);
    else if (e.path.includes("dmabuf") && dmabufInodes.has(e.inode)) what.add(`map dma-buf inode ${e.inode}`);
  }
  return [...what];
}

/** The processes holding the device, but `selfPid` and those whose comm is in `ignore`. */
export function* findHolders(
  proc: ProcfsAccess, id: DeviceIdentity, o: { readonly selfPid: number; readonly ignore: readonly string[] },
): Call<Holder[]> {
  const dmabufInodes = new Set<string>();
  const fdsOf = new Map<number, string[]>();
  const pids = (yield* proc.pids()).filter((p) => p !== o.selfPid);
  for (const pid of pids) fdsOf.set(pid, yield* fdHolds(proc, pid, id, dmabufInodes));
  const holders: Holder[] = [];
  for (const pid of pids) {
    const what = [...fdsOf.get(pid)!, ...mapHolds(yield* proc.maps(pid), id, dmabufInodes)];
    if (what.length === 0) continue;
    const comm = (yield* proc.comm(pid))?.trim() ?? "?";
    if (!o.ignore.includes(comm)) holders.push({ pid, comm, what });
  }
  return holders;
}

export function describeHolders(holders: readonly Holder[]): string {
  return holders.map((h) => `${h.comm} (pid ${h.pid}: ${h.what.join(", ")})`).join("; ");
}
