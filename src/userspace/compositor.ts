/**
 * Two compositors, written as programs against the Syscalls interface, for what a display
 * server sees when a GPU goes away (clients-and-explorers.md, A.4 and A.5).
 *
 * The robust one does what the uAPI's "Device Hot-Unplug" chapter asks of userspace, as KWin
 * does for a secondary GPU: it drives every output of several cards, flips on a timer, and
 * listens on a uevent socket. When a card goes (a `remove` uevent of its node, or ENODEV from
 * one of its ioctls) it drops that card's outputs, unmaps its buffers and closes its file,
 * and keeps flipping on the others; a card that appears (`add`) is opened and lit; a
 * connector that reads disconnected after a HOTPLUG=1 `change` loses its output (D4).
 *
 * The naive one is the kmscube loop: flip, wait for the flip's event with a blocking read,
 * again, on each card in turn; it takes no notice of an error, so after an unplug that the
 * kernel answers with ENODEV it waits for an event no flip will send.
 *
 * Both run a bounded number of frames (a long-running service would run until SIGTERM).
 */
import type { Call, Fd, Syscalls, Uevent } from "../uapi/mod.js";
import { ueventGet } from "../uapi/mod.js";
import { nodePath, pciDrmNodes } from "./drm_nodes.js";
import { enableAtomic } from "./kms_atomic.js";
import {
  drawBack, findPipes, flipsDone, getConnector, lightPipe, queueFlip, readFlipEvents, unmapBuffers,
  type KmsApi, type KmsBuffer, type KmsFailure, type KmsOutput,
} from "./kms_output.js";

export interface CompositorOptions {
  /** The PCI addresses of the cards to drive from the start. */
  readonly devices: readonly string[];
  /** How many frames (timer periods; for the naive one, flips per card) to run. */
  readonly frames: number;
  /** The frame timer's period, in microseconds (the robust one). */
  readonly periodUs: number;
  /** Called once the starting cards' outputs are lit. */
  readonly ready?: () => void;
  /**
   * atomic: drive a card with atomic commits when it grants DRM_CLIENT_CAP_ATOMIC (its driver
   * has DRIVER_ATOMIC), through the legacy uapi otherwise; legacy (the default): always
   * SETCRTC and PAGE_FLIP.
   */
  readonly kms?: KmsApi;
}

/** What a compositor saw and did, per card in the order it first opened them. */
export interface CompositorReport {
  readonly cards: string[];
  /** Flip-complete events read, per card. */
  readonly flips: number[];
  /** Flips completed after the first card was dropped, per card. */
  readonly flipsAfterDrop: number[];
  /** The cards dropped, in order. */
  readonly dropped: string[];
  /** The calls that failed, as "card0 DRM_IOCTL_MODE_PAGE_FLIP ENODEV", in order, once each. */
  readonly errors: string[];
  /** What happened, one line per event, with its frame. */
  readonly log: string[];
}

interface Card {
  readonly name: string;
  readonly fd: Fd;
  readonly api: KmsApi;
  outputs: KmsOutput[];
  readonly buffers: KmsBuffer[];
  flips: number;
  flipsAfterDrop: number;
}

class Compositor {
  readonly cards: Card[] = [];
  readonly seen: Card[] = [];
  /** Dropped cards whose file waits for their last flip before it is closed. */
  readonly closing: Card[] = [];
  readonly report: CompositorReport = {
    cards: [], flips: [], flipsAfterDrop: [], dropped: [], errors: [], log: [],
  };
  frame = 0;

  constructor(readonly sys: Syscalls, readonly api: KmsApi = "legacy") {}

  note(line: string): void {
    this.report.log.push(`frame ${this.frame}: ${line}`);
  }

  error(card: string, f: KmsFailure): void {
    const text = `${card} ${f.call} ${f.errno}`;
    if (!this.report.errors.includes(text)) this.report.errors.push(text);
  }

  /** Opens /dev/dri/`name` and lights its connected outputs; false when it cannot be driven. */
  *addCard(name: string): Call<boolean> {
    const sys = this.sys;
    const fd = yield* sys.open(nodePath(name));
    if (!fd.ok) {
      this.error(name, { ok: false, call: "open", errno: fd.errno });
      return false;
    }
    const atomic = this.api === "atomic" && (yield* enableAtomic(sys, fd.value));
    const card: Card = {
      name, fd: fd.value, api: atomic ? "atomic" : "legacy", outputs: [], buffers: [], flips: 0,
      flipsAfterDrop: 0,
    };
    yield* this.lightNew(card);
    if (card.outputs.length === 0) {
      yield* unmapBuffers(sys, card.buffers);
      yield* sys.close(card.fd);
      this.note(`${name}: no output to drive`);
      return false;
    }
    this.cards.push(card);
    this.seen.push(card);
    this.note(`${name}: ${card.outputs.length} output(s) lit (${card.api})`);
    return true;
  }

  /** Lights the card's connected connectors it does not show yet; how many it lit. */
  *lightNew(card: Card): Call<number> {
    const pipes = yield* findPipes(this.sys, card.fd, card.outputs);
    if (!pipes.ok) this.error(card.name, pipes);
    let lit = 0;
    for (const pipe of pipes.ok ? pipes.value : []) {
      const out = yield* lightPipe(this.sys, card.fd, pipe, card.buffers, card.api);
      if (!out.ok) {
        this.error(card.name, out);
        break;
      }
      card.outputs.push(out.value);
      lit++;
    }
    return lit;
  }

  /**
   * Drops a card that is gone: its outputs, its mappings, and its file, once no flip of it is
   * pending. A close with a flip in flight would wait in the kernel for that flip (the
   * framebuffers' removal is a commit, which waits for the one in flight, up to the
   * helpers' 10 s on a display that is gone), and the other cards would stop with it; the
   * flip's event comes when remove() turns the CRTC off (R65), and then the file is closed.
   */
  *dropCard(card: Card, why: string): Call<void> {
    const i = this.cards.indexOf(card);
    if (i < 0) return;
    this.cards.splice(i, 1);
    if (this.report.dropped.length === 0) for (const c of this.seen) c.flipsAfterDrop = 0;
    this.report.dropped.push(card.name);
    yield* unmapBuffers(this.sys, card.buffers);
    const pending = card.outputs.some((o) => o.pending);
    const how = pending
      ? "close deferred until its pending flip completes"
      : yield* this.closeCard(card);
    this.note(`${card.name} gone (${why}): outputs dropped, buffers unmapped, ${how}`);
    if (pending) this.closing.push(card);
  }

  *closeCard(card: Card): Call<string> {
    card.outputs = [];
    const closed = yield* this.sys.close(card.fd);
    return closed.ok ? "file closed" : `close: ${closed.errno}`;
  }

  /** Closes the dropped cards whose last flip is done. */
  *reapClosing(): Call<void> {
    for (const card of [...this.closing]) {
      const bad = yield* this.collectFlips(card);
      if (bad !== null) this.error(card.name, bad);
      if (bad === null && card.outputs.some((o) => o.pending)) continue;
      this.closing.splice(this.closing.indexOf(card), 1);
      this.note(`${card.name}: its last flip is done: ${yield* this.closeCard(card)}`);
    }
  }

  /** Reads the events a card has ready (without waiting) and counts its flips. */
  *collectFlips(card: Card): Call<KmsFailure | null> {
    const ready = yield* this.sys.poll(card.fd, 0x1, 0);
    if (!ready.ok || (ready.value & 0x1) === 0) return null;
    const events = yield* readFlipEvents(this.sys, card.fd);
    if (!events.ok) return events;
    const n = flipsDone(card.outputs, events.value);
    card.flips += n;
    card.flipsAfterDrop += n;
    return null;
  }

  /** One frame on a card: its done flips counted, a frame drawn and flipped where none is pending. */
  *frameOn(card: Card): Call<void> {
    const bad = yield* this.collectFlips(card);
    if (bad !== null) this.error(card.name, bad);
    for (const out of card.outputs) {
      if (out.pending) continue;
      yield* drawBack(this.sys, out, this.frame);
      const r = yield* queueFlip(this.sys, card.fd, out, BigInt(this.frame));
      if (r.ok) continue;
      this.error(card.name, r);
      if (r.errno === "ENODEV") return yield* this.dropCard(card, `${r.call}: ENODEV`);
    }
  }

  /**
   * After a HOTPLUG=1 change: the outputs whose connector reads disconnected now are dropped
   * (a display unplugged, or every connector of a card gone under uapi-doc, D4), and the
   * connectors that read connected and show nothing are lit (a display plugged in).
   */
  *reprobe(card: Card): Call<void> {
    for (const out of [...card.outputs]) {
      const conn = yield* getConnector(this.sys, card.fd, out.pipe.connectorId);
      if (!conn.ok) {
        this.error(card.name, conn);
        if (conn.errno === "ENODEV") return yield* this.dropCard(card, `${conn.call}: ENODEV`);
        continue;
      }
      if (conn.value.connection === 1) continue;
      card.outputs = card.outputs.filter((o) => o !== out);
      this.note(`${card.name}: connector ${out.pipe.connectorId} disconnected: output dropped`);
    }
    const before = card.outputs.length;
    if ((yield* this.lightNew(card)) === 0) return;
    const lit = card.outputs.slice(before).map((o) => o.pipe.connectorId).join(", ");
    this.note(`${card.name}: connector ${lit} connected: output lit`);
  }

  /**
   * A uevent of a card node: `remove` drops it; `add`, or a HOTPLUG=1 `change` of a card it
   * does not drive (its connectors come after its node), picks it up; a HOTPLUG=1 `change` of
   * one it drives re-probes its connectors.
   */
  *onUevent(ev: Uevent): Call<void> {
    const devname = ueventGet(ev, "DEVNAME");
    const isCard = devname !== undefined && /^dri\/card\d+$/.test(devname);
    if (ueventGet(ev, "SUBSYSTEM") !== "drm" || devname === undefined || !isCard) return;
    const name = devname.slice("dri/".length);
    const card = this.cards.find((c) => c.name === name);
    const hotplug = ev.action === "change" && ueventGet(ev, "HOTPLUG") === "1";
    if (ev.action === "remove" && card !== undefined) yield* this.dropCard(card, "remove uevent");
    else if ((ev.action === "add" || hotplug) && card === undefined) {
      this.note(`${name} appeared (${ev.action} uevent)`);
      yield* this.addCard(name);
    } else if (hotplug && card !== undefined) yield* this.reprobe(card);
  }

  *drainUevents(sock: Fd): Call<void> {
    for (;;) {
      const ev = yield* this.sys.recvUevent(sock, 0);
      if (!ev.ok) return;
      yield* this.onUevent(ev.value);
    }
  }

  finish(): CompositorReport {
    const r = this.report;
    for (const c of this.seen) {
      r.cards.push(c.name);
      r.flips.push(c.flips);
      r.flipsAfterDrop.push(r.dropped.length === 0 ? 0 : c.flipsAfterDrop);
    }
    return r;
  }
}

/** The card nodes of the PCI devices, in order (those without one are left out). */
function* cardNames(sys: Syscalls, devices: readonly string[]): Call<string[]> {
  const names: string[] = [];
  for (const bdf of devices) {
    const nodes = yield* pciDrmNodes(sys, bdf);
    if (nodes.card !== null) names.push(nodes.card);
  }
  return names;
}

/** The robust compositor; see the file's comment. */
export function* robustCompositor(sys: Syscalls, o: CompositorOptions): Call<CompositorReport> {
  const c = new Compositor(sys, o.kms);
  const sock = yield* sys.ueventSocket();
  for (const name of yield* cardNames(sys, o.devices)) yield* c.addCard(name);
  o.ready?.();
  const start = yield* sys.clockGettime();
  for (c.frame = 1; c.frame <= o.frames; c.frame++) {
    for (const card of [...c.cards]) yield* c.frameOn(card);
    yield* c.reapClosing();
    if (sock.ok) yield* c.drainUevents(sock.value);
    const wait = start + c.frame * o.periodUs - (yield* sys.clockGettime());
    if (wait > 0) yield* sys.sleep(wait / 1000);
  }
  for (const card of [...c.cards]) {
    yield* unmapBuffers(sys, card.buffers);
    yield* sys.close(card.fd);
  }
  for (const card of c.closing) yield* sys.close(card.fd);
  if (sock.ok) yield* sys.close(sock.value);
  return c.finish();
}

/** The naive compositor; see the file's comment. */
export function* naiveCompositor(sys: Syscalls, o: CompositorOptions): Call<CompositorReport> {
  const c = new Compositor(sys, o.kms);
  for (const name of yield* cardNames(sys, o.devices)) yield* c.addCard(name);
  o.ready?.();
  for (c.frame = 1; c.frame <= o.frames; c.frame++) {
    for (const card of c.cards) {
      for (const out of card.outputs) {
        if (out.pending) continue; // an atomic mode set's event is this frame's
        const r = yield* queueFlip(sys, card.fd, out, BigInt(c.frame));
        if (!r.ok) c.error(card.name, r); // and waits for its event all the same
      }
    }
    for (const card of c.cards) {
      // One event per output, each read blocking: the event is taken to come.
      for (let got = 0; got < card.outputs.length; ) {
        const events = yield* readFlipEvents(sys, card.fd);
        if (!events.ok) {
          c.error(card.name, events);
          break;
        }
        flipsDone(card.outputs, events.value);
        got += events.value.length;
        card.flips += events.value.length;
      }
    }
  }
  for (const card of c.cards) {
    yield* unmapBuffers(sys, card.buffers);
    yield* sys.close(card.fd);
  }
  return c.finish();
}

export type CompositorKind = "robust" | "naive";

type CompositorProgram = (sys: Syscalls, o: CompositorOptions) => Call<CompositorReport>;

export const COMPOSITORS: Readonly<Record<CompositorKind, CompositorProgram>> = {
  robust: robustCompositor,
  naive: naiveCompositor,
};
