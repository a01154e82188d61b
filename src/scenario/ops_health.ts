/**
 * The health check of a device, as a program makes it (IGT's healthcheck() carried further):
 * every DRM node of the PCI function opens and answers DRM_IOCTL_VERSION, and a no-op job on
 * each of its engines (DRM_IOCTL_VTEST_SUBMIT of 0 ns, engine 0, 1, ... until the driver says
 * EINVAL) completes within a second with a successful fence (SYNC_IOC_FILE_INFO status 1). A
 * wedged device fails the first ioctl with its driver's error; a device without engines (a
 * display driver) is healthy once its nodes answer.
 *
 * Result: `healthy` (true or false), `problem` (the first thing wrong, or null), `nodes` (the
 * node names, space-separated) and `engines` (how many ran a job).
 */
import { z } from "zod";
import {
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
  DRM_IOCTL_SYNCOBJ_WAIT,
  DRM_IOCTL_VERSION,
  DRM_IOCTL_VTEST_SUBMIT,
  errnoName,
  SYNC_IOC_FILE_INFO,
  type Call,
  type Fd,
  type Syscalls,
} from "../uapi/mod.js";
import { defineOp, okFields, type Outcome } from "./op.js";
import { bdf } from "./schema.js";

/** How long the no-op jobs may take, in ns. */
const JOB_WAIT_NS = 1_000_000_000n;
const MAX_ENGINES = 64;
/** DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL */
const WAIT_ALL = 1;
/** DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE */
const EXPORT_SYNC_FILE = 1;

type Check<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** The DRM nodes of the function (card*, renderD*), sorted. */
function* drmNodes(sys: Syscalls, pci: string): Call<Check<string[]>> {
  const r = yield* sys.readdir(`/sys/bus/pci/devices/${pci}/drm`);
  const nodes = r.ok ? r.value.map((e) => e.name).filter((n) => /^(card|renderD)\d+$/.test(n)) : [];
  if (nodes.length === 0) return { ok: false, problem: `${pci} has no DRM node` };
  return { ok: true, value: nodes.sort() };
}

/** Opens each node and asks its version; the fds (the caller closes them). */
function* openNodes(sys: Syscalls, nodes: readonly string[], fds: Fd[]): Call<string | null> {
  for (const node of nodes) {
    const fd = yield* sys.open(`/dev/dri/${node}`);
    if (!fd.ok) return `open /dev/dri/${node}: ${fd.errno}`;
    fds.push(fd.value);
    const v = yield* sys.ioctl(fd.value, DRM_IOCTL_VERSION, {});
    if (!v.ok) return `${node}: DRM_IOCTL_VERSION: ${v.errno}`;
  }
  return null;
}

/** A no-op job on each engine: the syncobj of each, or the first problem. */
function* submitNoops(sys: Syscalls, fd: Fd): Call<Check<number[]>> {
  const handles: number[] = [];
  for (let engine = 0; engine < MAX_ENGINES; engine++) {
    const h = yield* sys.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, { flags: 0 });
    if (!h.ok) return engine === 0 ? { ok: true, value: [] } : { ok: false, problem: `DRM_IOCTL_SYNCOBJ_CREATE: ${h.errno}` };
    const args = { engine, duration_ns: 0n, flags: 0, in_syncobj: 0, out_syncobj: h.value.handle, batch: 0 };
    const r = yield* sys.ioctl(fd, DRM_IOCTL_VTEST_SUBMIT, args);
    if (!r.ok && r.errno === "EINVAL") break; // no such engine, or no such ioctl
    if (!r.ok) return { ok: false, problem: `engine ${engine}: DRM_IOCTL_VTEST_SUBMIT: ${r.errno}` };
    handles.push(h.value.handle);
  }
  return { ok: true, value: handles };
}

/** Waits for the jobs, then reads each fence's status. */
function* jobsDone(sys: Syscalls, fd: Fd, handles: readonly number[]): Call<string | null> {
  if (handles.length === 0) return null;
  const now = BigInt(yield* sys.clockGettime()) * 1000n;
  const wait = yield* sys.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, {
    handles: [...handles],
    count_handles: handles.length,
    timeout_nsec: now + JOB_WAIT_NS,
    flags: WAIT_ALL,
  });
  if (!wait.ok) return `no-op jobs: DRM_IOCTL_SYNCOBJ_WAIT: ${wait.errno}`;
  for (const [engine, handle] of handles.entries()) {
    const args = { handle, flags: EXPORT_SYNC_FILE, pad: 0 };
    const sf = yield* sys.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, args);
    if (!sf.ok) return `engine ${engine}: DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD: ${sf.errno}`;
    const info = yield* sys.ioctl(sf.value.fd as Fd, SYNC_IOC_FILE_INFO, {});
    yield* sys.close(sf.value.fd as Fd);
    const status = info.ok ? info.value.status : 0;
    if (status !== 1) return `engine ${engine}: the no-op job's fence ${statusText(status)}`;
  }
  return null;
}

function statusText(status: number): string {
  if (status === 0) return "is not signalled";
  return `ended with ${errnoName(status) ?? `error ${status}`}`;
}

/** The first problem of the device at `pci` (null when healthy), its nodes and engines. */
function* health(sys: Syscalls, pci: string): Call<{ problem: string | null; nodes: string[]; engines: number }> {
  const nodes = yield* drmNodes(sys, pci);
  if (!nodes.ok) return { problem: nodes.problem, nodes: [], engines: 0 };
  const fds: Fd[] = [];
  try {
    const opened = yield* openNodes(sys, nodes.value, fds);
    if (opened !== null) return { problem: opened, nodes: nodes.value, engines: 0 };
    const fd = fds.at(-1)!; // the render node when there is one (renderD sorts last)
    const jobs = yield* submitNoops(sys, fd);
    if (!jobs.ok) return { problem: jobs.problem, nodes: nodes.value, engines: 0 };
    const done = yield* jobsDone(sys, fd, jobs.value);
    return { problem: done, nodes: nodes.value, engines: jobs.value.length };
  } finally {
    for (const fd of fds) yield* sys.close(fd);
  }
}

export const healthyOp = defineOp({
  name: "healthy",
  summary:
    "check the device at a bus address: its DRM nodes open and answer DRM_IOCTL_VERSION, and " +
    "a no-op job on every engine ends with a successful fence; result healthy (true/false), " +
    "problem (the first thing wrong, or null), nodes, engines",
  main: "healthy",
  schema: z.object({ healthy: bdf }).strict(),
  describe: (a) => `healthy ${a.healthy}`,
  *run(ctx, a): Call<Outcome> {
    const h = yield* health(ctx.sys, a.healthy);
    return okFields({ healthy: h.problem === null, problem: h.problem, nodes: h.nodes.join(" "), engines: h.engines });
  },
});
