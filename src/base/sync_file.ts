/**
 * sync_file: a dma_fence exported as a file, so that a program can hold it in an fd, pass it
 * on, poll it and ask it about its fence. The file holds a reference to the fence: the fence
 * outlives the device that made it for as long as the fd is open, and nothing here needs the
 * device (after an unplug the fd keeps working).
 *
 * poll() reports POLLIN once the fence is signalled (with or without an error); the first
 * poll adds a callback to the fence that wakes the file's pollers. SYNC_IOC_FILE_INFO gives
 * the fence's name and status.
 *
 * @see drivers/dma-buf/sync_file.c
 */
import { assert, fixedStep, KObject, step, WaitQueue, type Task } from "../kernel/mod.js";
import {
  fail,
  ok,
  POLLIN,
  SYNC_IOC_FILE_INFO,
  type IoctlFields,
  type IoctlIn,
  type IoctlOutOf,
  type IoctlRequest,
  type SysResult,
} from "../uapi/mod.js";
import {
  dmaFenceAddCallback,
  dmaFenceGet,
  dmaFenceGetStatus,
  dmaFenceIsSignaled,
  dmaFencePut,
  dmaFenceRemoveCallback,
  type DmaFence,
  type DmaFenceCb,
} from "./dma_fence.js";
import type { Kernel } from "./kernel.js";
import { anonInodeGetFile, type FileOps, type KFile, type PollWait } from "./vfs.js";

/** sync_file_info.name is a char[32]. */
const SYNC_FILE_NAME_BYTES = 32;

export class SyncFile extends KObject {
  static readonly fixedFields = ["fence", "file", "wq", "cb"];
  /** POLL_ENABLED: the first poll added the fence callback. */
  pollEnabled = false;
  readonly wq: WaitQueue;
  /** The callback the first poll adds (struct sync_file.cb); it wakes the pollers. */
  readonly cb: DmaFenceCb;

  constructor(kernel: Kernel, readonly fence: DmaFence, readonly file: KFile) {
    const sim = kernel.sim;
    super(sim, sim.alloc("sync_file", { label: `sync_file (${fence.mem.label})`, owner: fence }));
    this.wq = new WaitQueue(sim, `sync_file ${fence.mem.label}`);
    this.cb = { func: null, wq: this.wq };
  }
}

/**
 * A new sync_file for `fence` (taking a reference to it), as an anonymous file of the calling
 * process `pid` with one reference, not yet installed in an fd (see fdInstall()). The caller's
 * step writes the fence.
 * @see sync_file_create()
 */
export function syncFileCreate(kernel: Kernel, fence: DmaFence, pid: number): KFile {
  const file = anonInodeGetFile(kernel, "sync_file", "sync_file", syncFileFops, pid, fence);
  file.privateData = new SyncFile(kernel, dmaFenceGet(fence), file);
  return file;
}

/** The sync_file behind a file, or null if the file is something else. */
export function syncFileOf(file: KFile): SyncFile | null {
  const s = file.privateData;
  return file.ops === syncFileFops && s instanceof SyncFile ? s : null;
}

function syncFileFrom(file: KFile): SyncFile {
  const s = syncFileOf(file);
  if (s === null) assert(false, `Cannot use ${file.path} as a sync_file`);
  return s;
}

/** "driver-timeline<context>-<seqno>", cut to fit char[32]. @see sync_file_get_name() */
function syncFileName(s: SyncFile): string {
  const f = s.fence;
  const name = `${f.ops.getDriverName(f)}-${f.ops.getTimelineName(f)}${f.context}-${f.seqno}`;
  return name.slice(0, SYNC_FILE_NAME_BYTES - 1);
}

/** @see sync_file_release() */
function* syncFileRelease(file: KFile): Task<void> {
  const s = syncFileFrom(file);
  const sim = s.fence.kernel.sim;
  yield step("sync_file_release", [], [s, s.fence]);
  if (s.pollEnabled) dmaFenceRemoveCallback(s.fence, s.cb);
  yield* dmaFencePut(s.fence);
  sim.free(s.mem, "sync_file_release");
}

/** @see sync_file_poll() */
function* syncFilePoll(file: KFile): Task<PollWait> {
  const s = syncFileFrom(file);
  yield step("sync_file_poll", [], [s, s.fence]);
  if (!s.pollEnabled) {
    s.pollEnabled = true;
    const wake = (): void => s.wq.wakeUpAll();
    if (dmaFenceAddCallback(s.fence, s.cb, wake) !== 0) wake();
  }
  return {
    wq: s.wq,
    reason: `poll on sync_file ${syncFileName(s)}`,
    mask: () => (dmaFenceIsSignaled(s.fence) ? POLLIN : 0),
    recheck: fixedStep("sync_file_poll", [], [s, s.fence]),
  };
}

type FileInfoOut = IoctlOutOf<typeof SYNC_IOC_FILE_INFO>;

/**
 * SYNC_IOC_FILE_INFO: the name, the status and the number of fences (one: the model has no
 * fence arrays). With `num_fences` >= 1 the kernel also writes one struct sync_fence_info
 * through `sync_fence_info` (EFAULT for a null pointer); the model computes it, but has no
 * user memory to write it into.
 * @see sync_file_ioctl_fence_info()
 */
function syncFileIoctlFenceInfo(
  s: SyncFile,
  arg: IoctlIn<typeof SYNC_IOC_FILE_INFO>,
): SysResult<FileInfoOut> {
  if (arg.flags !== 0 || arg.pad !== 0) return fail("EINVAL");
  const numFences = 1;
  const status = dmaFenceGetStatus(s.fence);
  if (arg.num_fences !== 0) {
    if (arg.num_fences < numFences) return fail("EINVAL");
    if (arg.sync_fence_info === 0n) return fail("EFAULT");
  }
  return ok({ name: syncFileName(s), status, num_fences: numFences });
}

/** @see sync_file_ioctl() */
function* syncFileIoctl(
  file: KFile,
  request: IoctlRequest,
  arg: IoctlFields,
): Task<SysResult<IoctlFields>> {
  const s = syncFileFrom(file);
  // The status may signal the fence (its provider's `signaled` op).
  yield step("sync_file_ioctl", [], [s, s.fence]);
  const cmd = typeof request === "number" ? request >>> 0 : request.cmd;
  if (cmd !== SYNC_IOC_FILE_INFO.cmd) return fail("ENOTTY");
  const info = { ...SYNC_IOC_FILE_INFO.zeroIn, ...arg } as IoctlIn<typeof SYNC_IOC_FILE_INFO>;
  return syncFileIoctlFenceInfo(s, info);
}

const syncFileFops: FileOps = {
  name: "sync_file",
  release: syncFileRelease,
  poll: syncFilePoll,
  ioctl: syncFileIoctl,
};
