/**
 * Group g of the PRIME recording (fixtures/realkernel/linux-6.12-bochs-pciehp-prime.jsonl),
 * as its probe made it: a dumb buffer exported as a dma-buf (PRIME_HANDLE_TO_FD), named,
 * mapped next to the card's own mapping, synced and fenced; then the driver unbound with
 * everything held, the card fd closed, the driver bound again (the old minor is still taken
 * by the dma-buf, R14), and the dma-buf closed (the minor is free again).
 *
 * Each write through a mapping writes 4096 words (pattern + index); each read counts the words
 * that match the last pattern. Views are named as the recording names them.
 */
import type { Task } from "../kernel/mod.js";
import {
  DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
  DMA_BUF_IOCTL_SYNC,
  DMA_BUF_SET_NAME,
  DMA_BUF_SYNC_END,
  DMA_BUF_SYNC_RW,
  DRM_CLOEXEC,
  DRM_IOCTL_PRIME_FD_TO_HANDLE,
  DRM_IOCTL_PRIME_HANDLE_TO_FD,
  DRM_IOCTL_SYNCOBJ_CREATE,
  DRM_RDWR,
  DRM_SYNCOBJ_CREATE_SIGNALED,
  POLLIN,
  type Fd,
} from "../uapi/mod.js";
import { FDINFO_FIELDS } from "./observation.js";
import { WORDS, type Mapped, type Recorder } from "./_recorder.js";

/** The dma-buf fd and its mapping (`dmabuf map`), next to the card's file and mapping. */
interface Shared {
  readonly card: Mapped;
  readonly dmabuf: Fd;
  readonly map: bigint;
}

const BYTES = WORDS * 4;

/** How the recording names a read of one view after a write through the other. */
const AFTER_DMABUF = "drm map (after dmabuf-map write)";
const AFTER_DRM = "dmabuf map (after drm-map write)";

/** /proc/self/fdinfo of `fd`, its fields the comparison keeps. */
function* fdinfo(r: Recorder, what: string, fd: Fd): Task<void> {
  const text = yield* r.sys.readFile(`/proc/self/fdinfo/${fd}`);
  const fields: Record<string, string> = {};
  if (text.ok) {
    for (const line of text.value.split("\n")) {
      const [key, value] = line.split(":\t");
      if (key === undefined || value === undefined || !FDINFO_FIELDS.includes(key)) continue;
      fields[key] = value;
    }
  }
  r.call("fdinfo", what, text, null, fields);
}

function* mmapDmaBuf(r: Recorder, what: string, fd: Fd): Task<bigint> {
  const m = yield* r.sys.mmap(fd, 0n, BYTES);
  r.call("mmap", what, m, 0);
  if (!m.ok) throw new Error(`Cannot replay: mmap of the dma-buf failed with ${m.errno}`);
  return m.value;
}

/** SYNC start and end, EXPORT_SYNC_FILE and a poll of it; returns the sync_file fd. */
function* syncAndFence(r: Recorder, fd: Fd): Task<Fd | null> {
  const { sys } = r;
  const rw = BigInt(DMA_BUF_SYNC_RW);
  const start = yield* sys.ioctl(fd, DMA_BUF_IOCTL_SYNC, { flags: rw });
  r.call("ioctl", "DMA_BUF_IOCTL_SYNC(START|RW)", start, 0);
  const end = yield* sys.ioctl(fd, DMA_BUF_IOCTL_SYNC, { flags: rw | BigInt(DMA_BUF_SYNC_END) });
  r.call("ioctl", "DMA_BUF_IOCTL_SYNC(END|RW)", end, 0);
  const fence = yield* sys.ioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, { flags: DMA_BUF_SYNC_RW });
  r.call("ioctl", "DMA_BUF_IOCTL_EXPORT_SYNC_FILE(RW)", fence, 0);
  if (!fence.ok) return null;
  const syncFile = fence.value.fd as Fd;
  const p = yield* sys.poll(syncFile, POLLIN, 0);
  const revents = p.ok ? p.value : 0;
  // poll(2) returns how many fds are ready: this one, or none.
  const fields = { revents: `0x${revents.toString(16)}` };
  r.call("poll", "dma-buf sync_file fd (POLLIN)", p, revents === 0 ? 0 : 1, fields);
  return syncFile;
}

/** SYNCOBJ_CREATE with `flags` (bochs has no sync objects). */
function* syncobjCreate(r: Recorder, fd: Fd, what: string, flags = 0): Task<void> {
  r.call("ioctl", what, yield* r.sys.ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, { flags }), 0);
}

/** FD_TO_HANDLE, with the struct's handle after the call (still 0 when it fails). */
function* fdToHandle(r: Recorder, card: Fd, dmabuf: Fd): Task<void> {
  const h = yield* r.sys.ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, { fd: dmabuf });
  r.call("ioctl", "DRM_IOCTL_PRIME_FD_TO_HANDLE", h, 0, { handle: h.ok ? h.value.handle : 0 });
}

/** A write through `writer` (named `name`), read back there and through each of `others`. */
function* writeAndCompare(
  r: Recorder, name: string, writer: bigint, pattern: number,
  others: readonly (readonly [string, bigint])[],
): Task<void> {
  yield* r.memWrite(name, writer, pattern);
  yield* r.memRead(name, writer, pattern);
  for (const [what, addr] of others) yield* r.memRead(what, addr, pattern);
}

/** A new mapping of the dma-buf, read, written and compared with the two others, then unmapped. */
function* newMapping(r: Recorder, s: Shared, before: number, pattern: number): Task<void> {
  const fresh = yield* mmapDmaBuf(r, "new mmap of dma-buf fd", s.dmabuf);
  yield* r.memRead("new dmabuf map", fresh, before);
  yield* writeAndCompare(r, "new dmabuf map", fresh, pattern, [
    ["dmabuf map (after new-map write)", s.map],
    ["drm map (after new-map write)", s.card.map],
  ]);
  r.call("munmap", "new dmabuf map", yield* r.sys.munmap(fresh, BYTES), 0);
}

/** g_open: the buffer, its export and both views, compared write by write. */
function* open(r: Recorder): Task<Shared> {
  const { sys } = r;
  r.at("g_open");
  const card = yield* r.openAndMap("/dev/dri/card0", 0x67000000, "drm map");
  yield* r.getCap(card.fd, "PRIME");
  yield* r.getCap(card.fd, "SYNCOBJ");
  const flags = DRM_CLOEXEC | DRM_RDWR;
  const exp = yield* sys.ioctl(card.fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, { handle: 1, flags });
  const asked = { handle: 1, flags: "DRM_CLOEXEC|DRM_RDWR" };
  r.call("ioctl", "DRM_IOCTL_PRIME_HANDLE_TO_FD", exp, 0, asked);
  if (!exp.ok) throw new Error(`Cannot replay: PRIME_HANDLE_TO_FD failed with ${exp.errno}`);
  const dmabuf = exp.value.fd as Fd;
  const named = yield* sys.ioctl(dmabuf, DMA_BUF_SET_NAME, { name: "rk-prime" });
  r.call("ioctl", 'DMA_BUF_SET_NAME("rk-prime")', named, 0);
  yield* fdinfo(r, "dma-buf fd", dmabuf);
  const s: Shared = { card, dmabuf, map: yield* mmapDmaBuf(r, "dma-buf fd", dmabuf) };
  yield* r.memRead("dmabuf map", s.map, 0x67000000);
  yield* writeAndCompare(r, "dmabuf map", s.map, 0x67100000, [[AFTER_DMABUF, card.map]]);
  yield* syncobjCreate(r, card.fd, "DRM_IOCTL_SYNCOBJ_CREATE");
  const signaled = DRM_SYNCOBJ_CREATE_SIGNALED;
  yield* syncobjCreate(r, card.fd, "DRM_IOCTL_SYNCOBJ_CREATE(SIGNALED)", signaled);
  yield* r.memRead("dmabuf map", s.map, 0x67100000);
  yield* r.memRead("drm map", card.map, 0x67100000);
  yield* writeAndCompare(r, "dmabuf map", s.map, 0x67110000, [[AFTER_DMABUF, card.map]]);
  yield* writeAndCompare(r, "drm map", card.map, 0x67120000, [[AFTER_DRM, s.map]]);
  yield* newMapping(r, s, 0x67120000, 0x67130000);
  const syncFile = yield* syncAndFence(r, dmabuf);
  if (syncFile !== null) yield* sys.close(syncFile);
  yield* fdToHandle(r, card.fd, dmabuf);
  yield* fdinfo(r, "dma-buf fd", dmabuf);
  yield* syncobjCreate(r, card.fd, "DRM_IOCTL_SYNCOBJ_CREATE");
  yield* fdinfo(r, "card fd", card.fd);
  return s;
}

/** g_unbind: the driver goes with everything held; each view faults onto its own dummy page. */
function* unbind(r: Recorder, s: Shared, drivers: string, bdf: string): Task<Fd | null> {
  r.at("g_unbind");
  yield* r.sysfsWrite(`${drivers}/unbind`, bdf);
  yield* r.memRead("dmabuf map", s.map, 0x67130000);
  yield* r.memRead("drm map", s.card.map, 0x67130000);
  yield* writeAndCompare(r, "dmabuf map", s.map, 0x67140000, [[AFTER_DMABUF, s.card.map]]);
  yield* writeAndCompare(r, "drm map", s.card.map, 0x67150000, [[AFTER_DRM, s.map]]);
  yield* newMapping(r, s, 0x67150000, 0x67160000);
  const syncFile = yield* syncAndFence(r, s.dmabuf);
  yield* fdToHandle(r, s.card.fd, s.dmabuf);
  yield* fdinfo(r, "dma-buf fd", s.dmabuf);
  yield* syncobjCreate(r, s.card.fd, "DRM_IOCTL_SYNCOBJ_CREATE");
  yield* fdinfo(r, "card fd", s.card.fd);
  yield* r.snapshot(
    "after unbind; drm fd, dma-buf fd, both mappings, syncobj and sync_file fds held",
  );
  return syncFile;
}

/**
 * g_prep to g_close_dmabuf, on the card at `bdf` bound to PCI driver `pci`.
 * @see the README of fixtures/realkernel for what each step shows
 */
export function* primeAcrossUnbind(r: Recorder, pci: string, bdf: string): Task<void> {
  const { sys } = r;
  const drivers = `/sys/bus/pci/drivers/${pci}`;
  r.at("g_prep");
  yield* r.sysfsWrite(`${drivers}/unbind`, bdf);
  yield* r.sysfsWrite(`${drivers}/bind`, bdf);
  yield* r.snapshot("before g_open (device freshly bound)");
  const s = yield* open(r);
  const syncFile = yield* unbind(r, s, drivers, bdf);
  r.at("g_close_drm");
  r.call("close", "card fd", yield* sys.close(s.card.fd), 0);
  r.call("munmap", "drm map", yield* sys.munmap(s.card.map, BYTES), 0);
  yield* r.memRead("dmabuf map (drm fd closed)", s.map, 0x67160000);
  yield* fdinfo(r, "dma-buf fd", s.dmabuf);
  yield* r.snapshot("after close(drm fds) + munmap(drm map); dma-buf fd and its mapping held");
  yield* r.ls("/sys/class/drm");
  const held = "after rebind, dma-buf fd and its mapping still held";
  yield* r.adminStep("g_rebind", `${drivers}/bind`, bdf, held);
  yield* r.memRead("dmabuf map (after rebind)", s.map, 0x67160000);
  r.at("g_close_dmabuf");
  r.call("munmap", "dmabuf map", yield* sys.munmap(s.map, BYTES), 0);
  r.call("close", "dma-buf fd", yield* sys.close(s.dmabuf), 0);
  if (syncFile !== null) yield* sys.close(syncFile);
  yield* r.snapshot("after munmap + close of the dma-buf, close of sync_file and syncobj fds");
  yield* r.sysfsWrite(`${drivers}/unbind`, bdf);
  yield* r.snapshot("after unbind (dma-buf closed)");
  yield* r.sysfsWrite(`${drivers}/bind`, bdf);
  yield* r.snapshot("after bind (dma-buf closed)");
}
