/**
 * @internal Fixtures of the GPU scheduler tests: a world with one vtest device, FIFO-scheduled,
 * and what a program does with it: syncobjs, submissions, waits, and the status of a job's
 * finished fence as a sync_file shows it (SYNC_IOC_FILE_INFO).
 */
import assert from "node:assert/strict";
import {
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
  DRM_IOCTL_SYNCOBJ_WAIT,
  DRM_IOCTL_VTEST_SUBMIT,
  errnoName,
  SYNC_IOC_FILE_INFO,
  VTEST_SUBMIT_HANG,
  VTEST_SUBMIT_SPIN,
  type Call,
  type Fd,
  type SysResult,
  type Syscalls,
} from "../uapi/mod.js";
import type { WorldOptions } from "./options.js";
import { BDF, errnoOf, openOk, userSession, type UserSession } from "./_testing.js";

/** DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE */
const EXPORT_SYNC_FILE = 1;
/** SYNCOBJ_WAIT's timeout: an absolute time far away (an hour after boot), in ns. */
export const FOREVER_NS = 3_600_000_000_000n;

/** A session with one vtest at BDF; FIFO-scheduled with seed 1 unless `options` say otherwise. */
export function vtestSession(options: Partial<WorldOptions> = {}): UserSession {
  return userSession({ devices: [{ bdf: BDF, driver: "vtest" }], ...options });
}

export function* openRender(sys: Syscalls): Call<Fd> {
  return yield* openOk(sys, "/dev/dri/renderD128");
}

export function* syncobj(sys: Syscalls, fd: Fd): Call<number> {
  const r = yield* sys.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, { flags: 0 });
  assert.ok(r.ok, `SYNCOBJ_CREATE: ${r.ok ? "" : r.errno}`);
  return r.value.handle;
}

export interface Submit {
  engine?: number;
  ms?: number;
  hang?: boolean;
  in?: number;
  out?: number;
  /** A spinner (VTEST_SUBMIT_SPIN), which needs a `batch`. */
  spin?: boolean;
  /** Raw flags; overrides `hang` and `spin`. */
  flags?: number;
  /** The GEM handle of the batch buffer. */
  batch?: number;
}

/** DRM_IOCTL_VTEST_SUBMIT; its result as the program sees it. */
export function* submit(sys: Syscalls, fd: Fd, s: Submit): Call<SysResult<{ seqno: number }>> {
  return yield* sys.ioctl(fd, DRM_IOCTL_VTEST_SUBMIT, {
    duration_ns: BigInt(s.ms ?? 1) * 1_000_000n,
    engine: s.engine ?? 0,
    flags: s.flags ?? (s.hang === true ? VTEST_SUBMIT_HANG : 0) | (s.spin === true ? VTEST_SUBMIT_SPIN : 0),
    in_syncobj: s.in ?? 0,
    out_syncobj: s.out ?? 0,
    batch: s.batch ?? 0,
  });
}

/** A submission that must succeed; its seqno. */
export function* submitOk(sys: Syscalls, fd: Fd, s: Submit): Call<number> {
  const r = yield* submit(sys, fd, s);
  assert.ok(r.ok, `VTEST_SUBMIT: ${r.ok ? "" : r.errno}`);
  return r.value.seqno;
}

/** SYNCOBJ_WAIT for every handle, up to FOREVER_NS; its errno or "ok". */
export function* waitAll(sys: Syscalls, fd: Fd, handles: number[]): Call<string> {
  const r = yield* sys.ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, {
    handles,
    count_handles: handles.length,
    timeout_nsec: FOREVER_NS,
    flags: 1, // DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL
  });
  return errnoOf(r);
}

/** The sync_file of the syncobj's fence, exported (an fd the caller closes). */
export function* exportSyncFile(sys: Syscalls, fd: Fd, handle: number): Call<Fd> {
  const args = { handle, flags: EXPORT_SYNC_FILE, pad: 0 };
  const r = yield* sys.ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, args);
  assert.ok(r.ok, `SYNCOBJ_HANDLE_TO_FD: ${r.ok ? "" : r.errno}`);
  return r.value.fd as Fd;
}

/**
 * Three hanging jobs on engine 0 (two on the ring, its credit limit, one queued), each
 * fence's sync_file exported; then a wait past the 500 ms job timeout.
 */
export function* hangJobs(sys: Syscalls, fd: Fd): Call<Fd[]> {
  const syncFiles: Fd[] = [];
  for (let i = 0; i < 3; i++) {
    const out = yield* syncobj(sys, fd);
    yield* submitOk(sys, fd, { engine: 0, hang: true, out });
    syncFiles.push(yield* exportSyncFile(sys, fd, out));
  }
  yield* sys.sleep(600);
  return syncFiles;
}

/** "active", "signaled" or the errno name of a sync_file's fence. */
export function* syncFileStatus(sys: Syscalls, syncFile: Fd): Call<string> {
  const r = yield* sys.ioctl(syncFile, SYNC_IOC_FILE_INFO, {});
  assert.ok(r.ok, `SYNC_IOC_FILE_INFO: ${r.ok ? "" : r.errno}`);
  const status = r.value.status;
  if (status === 0) return "active";
  return status === 1 ? "signaled" : (errnoName(status) ?? String(status));
}

/** The status of the fence of syncobj `handle`, through a sync_file exported and closed. */
export function* fenceStatus(sys: Syscalls, fd: Fd, handle: number): Call<string> {
  const sf = yield* exportSyncFile(sys, fd, handle);
  const status = yield* syncFileStatus(sys, sf);
  yield* sys.close(sf);
  return status;
}
