/**
 * dma-buf: a buffer one device exports as a file, so that programs can hold it in an fd, pass
 * it on, map it, and import it into another device. The dma-buf is a kernel object of its own
 * (struct dma_buf) tied to its file: it lives as long as any reference to the file (an fd, a
 * mapping, an importer's GEM object, the exporter's caches), and its exporter's `release` op
 * runs when the last one goes. The exporter's other ops are how everyone else reaches the
 * memory: `mmap` for CPU mappings of the fd, `attach`/`mapDmaBuf` for a device importing it.
 *
 * The exporter decides what the buffer holds alive: a GEM exporter (src/drm/prime_dmabuf.ts)
 * holds its object and its drm_device (R14), so the device outlives its unplug for as long as
 * the dma-buf does.
 *
 * The model's dma-bufs have no reservation object (dma_resv): no fence is ever attached to a
 * buffer, so every wait for one is over at once (see dma_buf_file.ts).
 *
 * @see drivers/dma-buf/dma-buf.c, include/linux/dma-buf.h
 */
import { assert, KObject, step, WaitQueue, type Allocation, type KStruct, type Task } from "../kernel/mod.js";
import { fail, ok, type ErrnoName, type Fd, type SysResult } from "../uapi/mod.js";
import type { Device } from "./device.js";
import { fdInstall, fdLookup } from "./fd_install.js";
import type { Kernel } from "./kernel.js";
import type { Vma } from "./mm.js";
import { fget, fput, type KFile } from "./vfs.js";

/**
 * The pages of a buffer as a device sees them (struct sg_table): made by the exporter's
 * `mapDmaBuf` for one attachment, freed by its `unmapDmaBuf`.
 */
export interface SgTable {
  readonly mem: Allocation;
  readonly pages: readonly Uint8Array[];
}

/**
 * What an exporter does for its dma-bufs (struct dma_buf_ops). Each op yields a step of its
 * own for the exporter's objects before it touches them.
 */
export interface DmaBufOps {
  /** The C name of the ops table, for traces (e.g. "drm_gem_prime_dmabuf_ops"). */
  readonly name: string;
  /** A device attaches; an error refuses it (ENOSYS: the buffer has no pages to share). */
  attach?(dmabuf: DmaBuf, attach: DmaBufAttachment): Task<0 | ErrnoName>;
  detach?(dmabuf: DmaBuf, attach: DmaBufAttachment): Task<void>;
  /** The buffer's pages for the attached device. */
  mapDmaBuf(attach: DmaBufAttachment): Task<SysResult<SgTable>>;
  unmapDmaBuf(attach: DmaBufAttachment, sgt: SgTable): Task<void>;
  /** The last reference to the dma-buf is gone: drop what the export took. */
  release(dmabuf: DmaBuf): Task<void>;
  /** Maps the buffer into `vma`, whose offset and length fit the buffer (checked before). */
  mmap?(dmabuf: DmaBuf, vma: Vma): Task<SysResult<0>>;
}

export class DmaBuf extends KObject {
  static readonly fixedFields = [
    "kernel", "ops", "sizeBytes", "priv", "expName", "file", "ino", "pollWq",
  ];
  /** The name DMA_BUF_SET_NAME gave it (null until then). */
  name: string | null = null;
  /** The devices attached to it (dmabuf->attachments). */
  readonly attachments = new Set<DmaBufAttachment>();
  /** What poll() sleeps on; nothing wakes it: a buffer without fences is ready at once. */
  readonly pollWq: WaitQueue;

  constructor(
    mem: Allocation,
    readonly kernel: Kernel,
    readonly ops: DmaBufOps,
    readonly sizeBytes: number,
    /** The exporter's object (dmabuf->priv): a GEM exporter's drm_gem_object. */
    readonly priv: unknown,
    /** The exporting module's name (exp_name), e.g. "drm". */
    readonly expName: string,
    readonly file: KFile,
    /** The inode number of its file, from a counter of dma-bufs since boot. */
    readonly ino: number,
  ) {
    super(kernel.sim, mem);
    this.pollWq = new WaitQueue(kernel.sim, `dma-buf #${ino} poll`);
  }
}

/** A device's attachment to a dma-buf (struct dma_buf_attachment). */
export class DmaBufAttachment extends KObject {
  static readonly fixedFields = ["dmabuf", "dev"];
  /** The mapping made for the device, kept until it detaches (cache_sgt_mapping). */
  sgt: SgTable | null = null;

  constructor(mem: Allocation, readonly dmabuf: DmaBuf, readonly dev: Device) {
    super(dmabuf.kernel.sim, mem);
  }
}

/** The dma-buf behind a file, or null if the file is something else. @see is_dma_buf_file() */
export function dmaBufOf(file: KFile): DmaBuf | null {
  const d = file.privateData;
  return d instanceof DmaBuf && d.file === file ? d : null;
}

/**
 * Takes a reference to the dma-buf's file; the caller's step writes the file.
 * @see get_dma_buf()
 */
export function getDmaBuf(dmabuf: DmaBuf): void {
  fget(dmabuf.file);
}

/** Drops a reference; the last one releases the dma-buf. @see dma_buf_put() */
export function* dmaBufPut(dmabuf: DmaBuf): Task<void> {
  yield* fput(dmabuf.kernel, dmabuf.file);
}

/**
 * Installs the dma-buf's file in a new fd of the calling process, which takes over the
 * caller's reference. `flags` may hold O_CLOEXEC. @see dma_buf_fd()
 */
export function dmaBufFd(dmabuf: DmaBuf, flags: number): Fd {
  return fdInstall(dmabuf.kernel, dmabuf.file, flags);
}

/**
 * The dma-buf open at `fd` in the calling process, with a reference for the caller: EBADF if
 * the fd is not open, EINVAL if it is not a dma-buf. The caller's step writes the file.
 * @see dma_buf_get()
 */
export function dmaBufGet(kernel: Kernel, fd: number): SysResult<DmaBuf> {
  const file = fdLookup(kernel, fd);
  if (file === undefined) return fail("EBADF");
  const dmabuf = dmaBufOf(file);
  if (dmabuf === null) return fail("EINVAL");
  getDmaBuf(dmabuf);
  return ok(dmabuf);
}

/**
 * Attaches device `dev` to the dma-buf; the exporter may refuse (its errno). The caller holds
 * a reference to the dma-buf for as long as the attachment lives. `owner` is the importer's
 * object the attachment belongs to in the trace (its drm_device), not the exporter's.
 * @see dma_buf_attach(), dma_buf_dynamic_attach()
 */
export function* dmaBufAttach(
  dmabuf: DmaBuf, dev: Device, owner: KStruct,
): Task<SysResult<DmaBufAttachment>> {
  yield step("dma_buf_dynamic_attach", [dev], [dmabuf]);
  const sim = dmabuf.kernel.sim;
  const label = `dma_buf_attachment of dma-buf #${dmabuf.ino} by ${dev.name}`;
  const mem = sim.alloc("dma_buf_attachment", { label, owner });
  const attach = new DmaBufAttachment(mem, dmabuf, dev);
  if (dmabuf.ops.attach !== undefined) {
    const err = yield* dmabuf.ops.attach(dmabuf, attach);
    if (err !== 0) {
      yield step("dma_buf_dynamic_attach", [], [attach]);
      sim.free(attach.mem, "dma_buf_dynamic_attach");
      return fail(err);
    }
    yield step("dma_buf_dynamic_attach", [], [dmabuf, attach]);
  }
  dmabuf.attachments.add(attach);
  return ok(attach);
}

/**
 * The buffer's pages for the attached device: the exporter maps them once, and the
 * attachment keeps them until it detaches (cache_sgt_mapping, as GEM exporters ask).
 * @see dma_buf_map_attachment()
 */
export function* dmaBufMapAttachment(attach: DmaBufAttachment): Task<SysResult<SgTable>> {
  yield step("dma_buf_map_attachment", [attach.dmabuf], [attach]);
  if (attach.sgt !== null) return ok(attach.sgt);
  const r = yield* attach.dmabuf.ops.mapDmaBuf(attach);
  if (!r.ok) return r;
  yield step("dma_buf_map_attachment", [], [attach]);
  attach.sgt = r.value;
  return r;
}

/**
 * Detaches the device: the cached mapping is unmapped, the exporter told, the attachment
 * freed. The caller then drops its reference to the dma-buf. @see dma_buf_detach()
 */
export function* dmaBufDetach(dmabuf: DmaBuf, attach: DmaBufAttachment): Task<void> {
  yield step("dma_buf_detach", [], [dmabuf, attach]);
  const what = `Cannot detach from dma-buf #${dmabuf.ino}`;
  assert(attach.dmabuf === dmabuf, `${what}: attached to another`);
  assert(dmabuf.attachments.delete(attach), `${what}: not attached`);
  const sgt = attach.sgt;
  attach.sgt = null;
  if (sgt !== null) yield* dmabuf.ops.unmapDmaBuf(attach, sgt);
  if (dmabuf.ops.detach !== undefined) yield* dmabuf.ops.detach(dmabuf, attach);
  yield step("dma_buf_detach", [], [attach]);
  dmabuf.kernel.sim.free(attach.mem, "dma_buf_detach");
}
