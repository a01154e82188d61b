/**
 * The file of a dma-buf: how it is made (dma_buf_export()) and what a program can do with its
 * fd: mmap it (the exporter's mapping path), the dma-buf ioctls, poll, /proc/<pid>/fdinfo, and
 * close (the last reference releases the dma-buf through its exporter).
 *
 * None of it needs the exporting device: after the exporter is unplugged the fd keeps working
 * (measured on Linux 6.12, R54): a new mmap succeeds and faults as the exporter's memory
 * manager decides, DMA_BUF_IOCTL_SYNC and EXPORT_SYNC_FILE return 0.
 *
 * The model's dma-bufs carry no fences (no dma_resv, see dma_buf.ts): poll() is ready at once,
 * DMA_BUF_IOCTL_SYNC only checks its flags (no exporter has CPU-access hooks), and
 * EXPORT_SYNC_FILE gives a sync_file of an already signalled stub fence, as Linux does for a
 * buffer without fences.
 *
 * @see dma_buf_export(), dma_buf_getfile(), dma_buf_fops in drivers/dma-buf/dma-buf.c
 */
import { assert, fixedStep, step, type KStruct, type Task } from "../kernel/mod.js";
import {
  DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
  DMA_BUF_IOCTL_SYNC,
  DMA_BUF_NAME_LEN,
  DMA_BUF_SET_NAME,
  DMA_BUF_SYNC_RW,
  DMA_BUF_SYNC_VALID_FLAGS_MASK,
  fail,
  O_CLOEXEC,
  ok,
  POLLIN,
  POLLOUT,
  type IoctlFields,
  type IoctlIn,
  type IoctlRequest,
  type SysResult,
} from "../uapi/mod.js";
import { DmaBuf, dmaBufOf, type DmaBufOps } from "./dma_buf.js";
import { dmaFenceAllocatePrivateStub, dmaFencePut } from "./dma_fence.js";
import { currentProcess, fdInstall } from "./fd_install.js";
import type { Kernel } from "./kernel.js";
import { PAGE_SIZE, type Vma } from "./mm.js";
import { syncFileCreate } from "./sync_file.js";
import { anonInodeGetFile, type FileOps, type KFile, type PollWait } from "./vfs.js";

/** What an exporter says about a buffer it exports. @see struct dma_buf_export_info */
export interface DmaBufExportInfo {
  /** The exporting module (exp_name), e.g. "drm". */
  readonly expName: string;
  readonly ops: DmaBufOps;
  readonly sizeBytes: number;
  /** The file's flags: O_RDWR for a writable buffer, O_CLOEXEC. */
  readonly flags: number;
  /** The exporter's object. */
  readonly priv: unknown;
  /** What the buffer belongs to in the trace (the exported object), whoever imports it. */
  readonly owner: KStruct;
  /** The exported object, for the buffer's label (e.g. "gem 16384B (drm_device#1 (card0))"). */
  readonly what: string;
}

/**
 * A new dma-buf and its file (one reference, the caller's; see dmaBufFd()), as a file of the
 * calling process. Its inode number counts the dma-bufs made since boot, from 1.
 * @see dma_buf_export(), dma_buf_getfile()
 */
export function dmaBufExport(kernel: Kernel, info: DmaBufExportInfo): DmaBuf {
  const sim = kernel.sim;
  const pid = currentProcess(kernel).pid;
  const ino = kernel.allocDmaBufIno();
  const label = `dma-buf #${ino} ${info.sizeBytes}B of ${info.what}`;
  const mem = sim.alloc("dma_buf", { label, sizeBytes: info.sizeBytes, owner: info.owner });
  // The file stands for the dma-buf (its owner in the trace), made before the dma-buf holds it.
  const what = `dma-buf #${ino}`;
  const file = anonInodeGetFile(kernel, "dmabuf", what, dmaBufFops, pid, { mem }, info.flags);
  const { ops, sizeBytes, priv, expName } = info;
  const dmabuf = new DmaBuf(mem, kernel, ops, sizeBytes, priv, expName, file, ino);
  file.privateData = dmabuf;
  return dmabuf;
}

function dmaBufFrom(file: KFile): DmaBuf {
  const d = dmaBufOf(file);
  if (d === null) assert(false, `Cannot use ${file.path} as a dma-buf`);
  return d;
}

/** The last reference to the file is gone: the exporter's release, then the dma-buf's memory. */
function* dmaBufRelease(file: KFile): Task<void> {
  const dmabuf = dmaBufFrom(file);
  const sim = dmabuf.kernel.sim;
  yield step("dma_buf_release", [], [dmabuf]);
  // An importer holds a reference to the buffer for as long as it is attached.
  if (dmabuf.attachments.size > 0) {
    sim.warn(`dma_buf_release: dma-buf #${dmabuf.ino} still attached`);
  }
  yield* sim.frame(dmabuf.ops.name, dmabuf.ops.release(dmabuf));
  yield step("dma_buf_release", [], [dmabuf]);
  sim.free(dmabuf.mem, "dma_buf_release");
}

/**
 * mmap() of the fd: EINVAL if the exporter cannot map or the mapping goes past the buffer's
 * end; otherwise the exporter's mmap. No check of the exporter's device.
 * @see dma_buf_mmap_internal()
 */
function* dmaBufMmapInternal(file: KFile, vma: Vma): Task<SysResult<0>> {
  const dmabuf = dmaBufFrom(file);
  yield step("dma_buf_mmap_internal", [dmabuf], [vma]);
  if (dmabuf.ops.mmap === undefined) return fail("EINVAL");
  const bufferPages = BigInt(Math.floor(dmabuf.sizeBytes / PAGE_SIZE));
  if (vma.pgoff + BigInt(vma.pages) > bufferPages) return fail("EINVAL");
  return yield* dmabuf.kernel.sim.frame(dmabuf.ops.name, dmabuf.ops.mmap(dmabuf, vma));
}

/**
 * Ready for reading and writing at once: the model's buffers carry no fences.
 * @see dma_buf_poll()
 */
function* dmaBufPoll(file: KFile): Task<PollWait> {
  const dmabuf = dmaBufFrom(file);
  const poll = fixedStep("dma_buf_poll", [dmabuf]);
  yield poll;
  const reason = `poll on dma-buf #${dmabuf.ino}`;
  return { wq: dmabuf.pollWq, reason, mask: () => POLLIN | POLLOUT, recheck: poll };
}

/** size, count (references to the file), exp_name and name. @see dma_buf_show_fdinfo() */
function* dmaBufShowFdinfo(file: KFile): Task<string> {
  const dmabuf = dmaBufFrom(file);
  yield step("dma_buf_show_fdinfo", [dmabuf, file]);
  const name = dmabuf.name === null ? "" : `name:\t${dmabuf.name}\n`;
  return `size:\t${dmabuf.sizeBytes}\ncount:\t${file.count}\nexp_name:\t${dmabuf.expName}\n${name}`;
}

/**
 * DMA_BUF_IOCTL_SYNC: START or END of CPU access for READ, WRITE or both; EINVAL for other
 * flags or no direction. @see dma_buf_begin_cpu_access(), dma_buf_end_cpu_access()
 */
function dmaBufSync(arg: IoctlIn<typeof DMA_BUF_IOCTL_SYNC>): SysResult<IoctlFields> {
  const flags = arg.flags;
  if ((flags & ~BigInt(DMA_BUF_SYNC_VALID_FLAGS_MASK)) !== 0n) return fail("EINVAL");
  if ((flags & BigInt(DMA_BUF_SYNC_RW)) === 0n) return fail("EINVAL");
  return ok({});
}

/**
 * DMA_BUF_SET_NAME: at most DMA_BUF_NAME_LEN bytes with the NUL (EINVAL beyond, as
 * strndup_user() says); the zero pointer (a name left out) is EFAULT.
 * @see dma_buf_set_name()
 */
function dmaBufSetName(
  dmabuf: DmaBuf, arg: IoctlIn<typeof DMA_BUF_SET_NAME>,
): SysResult<IoctlFields> {
  const name = arg.name;
  if (name === "") return fail("EFAULT");
  if (new TextEncoder().encode(name).length + 1 > DMA_BUF_NAME_LEN) return fail("EINVAL");
  dmabuf.name = name;
  return ok({});
}

/**
 * DMA_BUF_IOCTL_EXPORT_SYNC_FILE: a sync_file (close-on-exec) of the buffer's fences for
 * `flags` (READ, WRITE); with none attached, of the signalled stub fence.
 * @see dma_buf_export_sync_file()
 */
function* dmaBufExportSyncFile(
  dmabuf: DmaBuf,
  arg: IoctlIn<typeof DMA_BUF_IOCTL_EXPORT_SYNC_FILE>,
): Task<SysResult<IoctlFields>> {
  if ((arg.flags & ~DMA_BUF_SYNC_RW) !== 0 || (arg.flags & DMA_BUF_SYNC_RW) === 0) {
    return fail("EINVAL");
  }
  const kernel = dmabuf.kernel;
  const stub = dmaFenceAllocatePrivateStub(kernel);
  const syncFile = syncFileCreate(kernel, stub, currentProcess(kernel).pid);
  yield* dmaFencePut(stub); // the sync_file holds it
  return ok({ fd: fdInstall(kernel, syncFile, O_CLOEXEC) });
}

/** @see dma_buf_ioctl() */
function* dmaBufIoctl(
  file: KFile, request: IoctlRequest, arg: IoctlFields,
): Task<SysResult<IoctlFields>> {
  const dmabuf = dmaBufFrom(file);
  yield step("dma_buf_ioctl", [], [dmabuf]);
  const cmd = typeof request === "number" ? request >>> 0 : request.cmd;
  // The argument as the handler reads it: a zero-filled struct with the caller's inputs.
  const args = <T>(def: { readonly zeroIn: T }): T => ({ ...def.zeroIn, ...arg }) as T;
  switch (cmd) {
    case DMA_BUF_IOCTL_SYNC.cmd:
      return dmaBufSync(args(DMA_BUF_IOCTL_SYNC));
    case DMA_BUF_SET_NAME.cmd:
      return dmaBufSetName(dmabuf, args(DMA_BUF_SET_NAME));
    case DMA_BUF_IOCTL_EXPORT_SYNC_FILE.cmd:
      return yield* dmaBufExportSyncFile(dmabuf, args(DMA_BUF_IOCTL_EXPORT_SYNC_FILE));
    default:
      return fail("ENOTTY");
  }
}

const dmaBufFops: FileOps = {
  name: "dma_buf",
  release: dmaBufRelease,
  mmap: dmaBufMmapInternal,
  poll: dmaBufPoll,
  ioctl: dmaBufIoctl,
  showFdinfo: dmaBufShowFdinfo,
};
