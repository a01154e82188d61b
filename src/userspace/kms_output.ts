/**
 * A display output as a compositor drives it, as libdrm's users do: the connected connectors
 * of a card with their first mode and a free CRTC their encoder can drive
 * (drmModeGetResources(), drmModeGetConnector(), drmModeGetEncoder()), two dumb buffers as
 * framebuffers, mapped for drawing, and page flips with a flip-complete event read back from
 * the card's file. Through the legacy uapi (kmscube's legacy path, weston's and wlroots'
 * legacy backends) the mode is set with SETCRTC and each flip is a PAGE_FLIP; through the
 * atomic one (kms_atomic.ts), on a card that granted the atomic cap, both are non-blocking
 * atomic commits.
 *
 * Every helper returns the failing call and its errno rather than throwing, so that a
 * compositor decides what a failure means (ENODEV: the device is gone).
 */
import {
  decodeDrmEventVblank,
  DRM_EVENT_FLIP_COMPLETE,
  DRM_FORMAT_XRGB8888,
  DRM_IOCTL_MODE_ADDFB2,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_GETCONNECTOR,
  DRM_IOCTL_MODE_GETENCODER,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_MODE_PAGE_FLIP,
  DRM_IOCTL_MODE_SETCRTC,
  DRM_MODE_CONNECTED,
  DRM_MODE_PAGE_FLIP_EVENT,
  drm_event_vblank,
  type Call,
  type DrmEventVblank,
  type Fd,
  type IoctlOutOf,
  type Syscalls,
} from "../uapi/mod.js";
import { atomicFlip, atomicIds, atomicModeset, type AtomicIds } from "./kms_atomic.js";
import { failed, type KmsPipe, type KmsResult, type Mode } from "./kms_result.js";

export type { KmsFailure, KmsPipe, KmsResult } from "./kms_result.js";

/** How a card's outputs are driven: atomic commits, or SETCRTC and PAGE_FLIP. */
export type KmsApi = "atomic" | "legacy";

/** A dumb buffer as a framebuffer, mapped for drawing. */
export interface KmsBuffer {
  readonly fbId: number;
  readonly addr: bigint;
  readonly size: number;
  readonly pitch: number;
}

export interface KmsOutput {
  readonly pipe: KmsPipe;
  readonly buffers: readonly [KmsBuffer, KmsBuffer];
  /** Which buffer is on screen (or will be, once the pending flip is done). */
  front: 0 | 1;
  /** A flip was queued and its event has not been read yet. */
  pending: boolean;
  /** The property ids its atomic commits set; null when it is driven through the legacy uapi. */
  readonly atomic: AtomicIds | null;
}

const BPP = 32;

/** The CRTC ids of the card. @see drmModeGetResources() (asks the counts, then the ids) */
type Resources = { crtcs: number[]; connectors: number[] };

function* crtcsAndConnectors(sys: Syscalls, fd: Fd): Call<KmsResult<Resources>> {
  const name = DRM_IOCTL_MODE_GETRESOURCES.name;
  const counts = yield* sys.ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, {});
  if (!counts.ok) return failed(name, counts.errno);
  const { count_crtcs, count_connectors } = counts.value;
  const ids = yield* sys.ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, { count_crtcs, count_connectors });
  if (!ids.ok) return failed(name, ids.errno);
  const crtcs = [...ids.value.crtc_id_ptr];
  return { ok: true, value: { crtcs, connectors: [...ids.value.connector_id_ptr] } };
}

/** The connector's state with its modes and encoders (asked twice, as libdrm does). */
type Connector = IoctlOutOf<typeof DRM_IOCTL_MODE_GETCONNECTOR>;

export function* getConnector(sys: Syscalls, fd: Fd, connectorId: number): Call<KmsResult<Connector>> {
  const name = DRM_IOCTL_MODE_GETCONNECTOR.name;
  const first = yield* sys.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, { connector_id: connectorId });
  if (!first.ok) return failed(name, first.errno);
  const { count_modes, count_encoders } = first.value;
  const args = { connector_id: connectorId, count_modes, count_encoders };
  const full = yield* sys.ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, args);
  return full.ok ? full : failed(name, full.errno);
}

/** The first of `crtcs` the encoder can drive (its possible_crtcs bits) and nobody uses: its index. */
function* crtcFor(
  sys: Syscalls, fd: Fd, encoderId: number, crtcs: readonly number[], used: ReadonlySet<number>,
): Call<KmsResult<number>> {
  const enc = yield* sys.ioctl(fd, DRM_IOCTL_MODE_GETENCODER, { encoder_id: encoderId });
  if (!enc.ok) return failed(DRM_IOCTL_MODE_GETENCODER.name, enc.errno);
  const index = crtcs.findIndex((id, i) => (enc.value.possible_crtcs & (1 << i)) !== 0 && !used.has(id));
  return { ok: true, value: index };
}

/**
 * The pipes of the card's connected connectors, each with its first (preferred) mode, leaving
 * out the outputs `driven` already shows (their connectors and CRTCs).
 */
export function* findPipes(
  sys: Syscalls, fd: Fd, driven: readonly KmsOutput[] = [],
): Call<KmsResult<KmsPipe[]>> {
  const res = yield* crtcsAndConnectors(sys, fd);
  if (!res.ok) return res;
  const pipes: KmsPipe[] = [];
  const used = new Set(driven.map((o) => o.pipe.crtcId));
  const shown = new Set(driven.map((o) => o.pipe.connectorId));
  for (const connectorId of res.value.connectors.filter((id) => !shown.has(id))) {
    const conn = yield* getConnector(sys, fd, connectorId);
    if (!conn.ok) return conn;
    const mode = conn.value.modes_ptr[0];
    const { encoder_id, encoders_ptr, connection } = conn.value;
    const encoderId = encoder_id !== 0 ? encoder_id : encoders_ptr[0];
    if (connection !== DRM_MODE_CONNECTED || mode === undefined || encoderId === undefined) continue;
    const crtc = yield* crtcFor(sys, fd, encoderId, res.value.crtcs, used);
    if (!crtc.ok) return crtc;
    const crtcId = res.value.crtcs[crtc.value];
    if (crtcId === undefined) continue;
    used.add(crtcId);
    pipes.push({ connectorId, crtcId, crtcIndex: crtc.value, mode });
  }
  return { ok: true, value: pipes };
}

/** A dumb buffer the size of `mode`, as a framebuffer, mapped. */
function* createBuffer(sys: Syscalls, fd: Fd, mode: Mode): Call<KmsResult<KmsBuffer>> {
  const width = Number(mode.hdisplay);
  const height = Number(mode.vdisplay);
  const bo = yield* sys.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width, height, bpp: BPP });
  if (!bo.ok) return failed(DRM_IOCTL_MODE_CREATE_DUMB.name, bo.errno);
  const { handle, pitch } = bo.value;
  const size = Number(bo.value.size);
  const fb = yield* sys.ioctl(fd, DRM_IOCTL_MODE_ADDFB2, {
    width, height, pixel_format: DRM_FORMAT_XRGB8888,
    handles: [handle, 0, 0, 0], pitches: [pitch, 0, 0, 0],
  });
  if (!fb.ok) return failed(DRM_IOCTL_MODE_ADDFB2.name, fb.errno);
  const map = yield* sys.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle });
  if (!map.ok) return failed(DRM_IOCTL_MODE_MAP_DUMB.name, map.errno);
  const addr = yield* sys.mmap(fd, map.value.offset, size);
  if (!addr.ok) return failed("mmap", addr.errno);
  return { ok: true, value: { fbId: fb.value.fb_id, addr: addr.value, size, pitch } };
}

/**
 * Lights `pipe` up: two buffers, the first shown, with SETCRTC or (api atomic, on a card whose
 * properties allow it) a non-blocking atomic mode set, whose flip-complete event is then
 * pending. The buffers mapped before a failure are returned in `mapped`, for the caller to
 * unmap.
 */
export function* lightPipe(
  sys: Syscalls, fd: Fd, pipe: KmsPipe, mapped: KmsBuffer[], api: KmsApi = "legacy",
): Call<KmsResult<KmsOutput>> {
  for (let i = 0; i < 2; i++) {
    const b = yield* createBuffer(sys, fd, pipe.mode);
    if (!b.ok) return b;
    mapped.push(b.value);
  }
  const [front, back] = mapped.slice(-2) as [KmsBuffer, KmsBuffer];
  const ids = api === "atomic" ? yield* atomicIds(sys, fd, pipe) : null;
  if (ids !== null && !ids.ok) return ids;
  const atomic = ids?.value ?? null;
  if (atomic !== null) {
    const set = yield* atomicModeset(sys, fd, pipe, atomic, front.fbId, 0n);
    if (!set.ok) return set;
    return { ok: true, value: { pipe, buffers: [front, back], front: 0, pending: true, atomic } };
  }
  const set = yield* sys.ioctl(fd, DRM_IOCTL_MODE_SETCRTC, {
    crtc_id: pipe.crtcId, fb_id: front.fbId,
    set_connectors_ptr: [pipe.connectorId], count_connectors: 1, mode_valid: 1, mode: pipe.mode,
  });
  if (!set.ok) return failed(DRM_IOCTL_MODE_SETCRTC.name, set.errno);
  return { ok: true, value: { pipe, buffers: [front, back], front: 0, pending: false, atomic: null } };
}

/** Draws frame `frame` into the back buffer: its first line, filled with the frame's byte. */
export function* drawBack(sys: Syscalls, out: KmsOutput, frame: number): Call<boolean> {
  const back = out.buffers[out.front === 0 ? 1 : 0];
  const r = yield* sys.memWrite(back.addr, new Uint8Array(back.pitch).fill(frame & 0xff));
  return r.ok;
}

/** Queues a flip to the back buffer (PAGE_FLIP, or an atomic commit) with a flip-complete event carrying `userData`. */
export function* queueFlip(
  sys: Syscalls, fd: Fd, out: KmsOutput, userData: bigint,
): Call<KmsResult<0>> {
  const next = out.front === 0 ? 1 : 0;
  const fbId = out.buffers[next].fbId;
  if (out.atomic !== null) {
    const r = yield* atomicFlip(sys, fd, out.atomic, fbId, userData);
    if (!r.ok) return r;
  } else {
    const r = yield* sys.ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, {
      crtc_id: out.pipe.crtcId, fb_id: fbId, flags: DRM_MODE_PAGE_FLIP_EVENT, user_data: userData,
    });
    if (!r.ok) return failed(DRM_IOCTL_MODE_PAGE_FLIP.name, r.errno);
  }
  out.front = next;
  out.pending = true;
  return { ok: true, value: 0 };
}

/** Reads the card's events (blocking until one comes, or `timeoutMs`): the flip-complete ones. */
export function* readFlipEvents(
  sys: Syscalls, fd: Fd, timeoutMs?: number,
): Call<KmsResult<DrmEventVblank[]>> {
  const r = yield* sys.read(fd, 4096, timeoutMs);
  if (!r.ok) return failed("read", r.errno);
  const size = drm_event_vblank.sizeBytes;
  const events: DrmEventVblank[] = [];
  for (let at = 0; at + size <= r.value.length; at += size) {
    const ev = decodeDrmEventVblank(r.value.subarray(at, at + size));
    if (ev !== null && ev.type === DRM_EVENT_FLIP_COMPLETE) events.push(ev);
  }
  return { ok: true, value: events };
}

/** Marks the flips of `events` done on their outputs; how many. */
export function flipsDone(
  outputs: readonly KmsOutput[], events: readonly DrmEventVblank[],
): number {
  let done = 0;
  for (const ev of events) {
    const out = outputs.find((o) => o.pipe.crtcId === ev.crtc_id && o.pending);
    if (out === undefined) continue;
    out.pending = false;
    done++;
  }
  return done;
}

/** Unmaps the buffers. */
export function* unmapBuffers(sys: Syscalls, buffers: readonly KmsBuffer[]): Call<void> {
  for (const b of buffers) yield* sys.munmap(b.addr, b.size);
}
