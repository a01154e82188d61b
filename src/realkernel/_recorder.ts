/**
 * @internal The calls of the real-kernel recording's probe, as the replay makes them, and what
 * it writes down about each: the same observations, under the same step names (`scn`), as
 * the recording's.
 */
import type { Process } from "../base/mod.js";
import type { Task } from "../kernel/mod.js";
import {
  DRM_CAP,
  DRM_CLIENT_CAP,
  DRM_IOCTL_GET_CAP,
  DRM_IOCTL_MODE_ATOMIC,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_SET_CLIENT_CAP,
  DRM_IOCTL_VERSION,
  DRM_MODE_ATOMIC_TEST_ONLY,
  type Fd,
} from "../uapi/mod.js";
import type { World } from "../world/world.js";
import { isModelledKmsg, type Observation } from "./observation.js";

/** Room for each string of VERSION (the longest, bochs' desc, has 39 bytes). */
const STRING_ROOM = 64n;
const DUMB_64X64 = { width: 64, height: 64, bpp: 32 } as const;
/** An atomic test-only commit without objects. */
export const ATOMIC_TEST_ONLY_EMPTY = { flags: DRM_MODE_ATOMIC_TEST_ONLY, count_objs: 0 } as const;

/** How many 32-bit words the probe writes and reads through a mapping. */
export const WORDS = 4096;

/** A file with a dumb buffer mapped: the fd, the mapping's address, the buffer's fake offset. */
export interface Mapped {
  readonly fd: Fd;
  readonly map: bigint;
  readonly offset: bigint;
}

/** The probe's calls and what it writes down about them, each under the current step (`scn`). */
export class Recorder {
  scn = "init";
  /** Kernel messages belong to the step in which they were printed; they are collected when it ends. */
  private kmsgSeen: number;

  constructor(readonly world: World, readonly sys: Process, private readonly obs: Observation[]) {
    this.kmsgSeen = world.sim.kmsg.length;
  }

  flushKmsg(): void {
    const kmsg = this.world.sim.kmsg;
    for (const line of kmsg.slice(this.kmsgSeen)) {
      const msg = line.replace(/^<\d+>/, "");
      if (isModelledKmsg(msg)) this.obs.push({ kind: "kmsg", scn: this.scn, msg });
    }
    this.kmsgSeen = kmsg.length;
  }

  /** Ends the current step and starts `scn`. */
  at(scn: string): void {
    this.flushKmsg();
    this.scn = scn;
  }

  call(op: string, what: string, r: { ok: boolean; errno?: string }, ret: number | null, fields: Record<string, string | number> = {}): void {
    this.obs.push({ kind: "call", scn: this.scn, op, what, ok: r.ok, ret: r.ok ? ret : -1, errno: r.ok ? null : (r.errno ?? null), fields });
  }

  /** A write to an admin file as its own step, then the snapshot the recording takes after it. */
  *adminStep(scn: string, path: string, value: string, why: string): Task<void> {
    this.at(scn);
    yield* this.sysfsWrite(path, value);
    yield* this.snapshot(why);
  }

  *sysfsWrite(path: string, value: string): Task<void> {
    const r = yield* this.sys.writeFile(path, value);
    this.call("sysfs_write", path, r, r.ok ? r.value : -1);
  }

  /** The card minors in sysfs, then /dev/dri: what the recording notes after every admin step. */
  *snapshot(why: string): Task<void> {
    yield* this.minors(why);
    yield* this.ls("/dev/dri");
  }

  *minors(why: string): Task<void> {
    const { sys } = this;
    const r = yield* sys.readdir("/sys/class/drm");
    const cards: string[] = [];
    for (const e of r.ok ? r.value : []) {
      if (!/^card\d+$/.test(e.name)) continue;
      const dev = yield* sys.readFile(`/sys/class/drm/${e.name}/dev`);
      const parent = yield* sys.readlink(`/sys/class/drm/${e.name}/device`);
      cards.push(`${e.name}=${dev.ok ? dev.value.trim() : "?"}@${parent.ok ? parent.value.split("/").pop() : "?"}`);
    }
    this.obs.push({ kind: "minors", scn: this.scn, why, cards });
  }

  *ls(path: string): Task<void> {
    const r = yield* this.sys.readdir(path);
    if (!r.ok) {
      this.obs.push({ kind: "ls", scn: this.scn, path, entries: null });
      return;
    }
    const entries: string[] = [];
    for (const e of r.value) {
      if (path === "/dev/dri") {
        const dev = yield* this.sys.readFile(`/sys/class/drm/${e.name}/dev`);
        entries.push(`${e.name}=${dev.ok ? dev.value.trim() : "?"}`);
      } else entries.push(e.name);
    }
    this.obs.push({ kind: "ls", scn: this.scn, path, entries: entries.sort() });
  }

  /** VERSION with room for the strings, as libdrm's drmGetVersion() asks the second time. */
  *version(fd: Fd, what = "DRM_IOCTL_VERSION"): Task<void> {
    const r = yield* this.sys.ioctl(fd, DRM_IOCTL_VERSION, { name_len: STRING_ROOM, date_len: STRING_ROOM, desc_len: STRING_ROOM });
    if (!r.ok) return this.call("ioctl", what, r, 0, {});
    const v = r.value;
    this.call("ioctl", what, r, 0, { name: v.name, version: `${v.version_major}.${v.version_minor}.${v.version_patchlevel}`, date: v.date, desc: v.desc });
  }

  /** GET_CAP of DRM_CAP_<cap>, recorded with the capability's short name. */
  *getCap(fd: Fd, cap: "DUMB_BUFFER" | "PRIME" | "SYNCOBJ" = "DUMB_BUFFER"): Task<void> {
    const capability = DRM_CAP[`DRM_CAP_${cap}`];
    const r = yield* this.sys.ioctl(fd, DRM_IOCTL_GET_CAP, { capability });
    const fields = r.ok ? { cap, value: Number(r.value.value) } : { cap };
    this.call("ioctl", "DRM_IOCTL_GET_CAP", r, 0, fields);
  }

  /** A 64x64x32 dumb buffer, with its handle, pitch and size. */
  *createDumb(fd: Fd): Task<void> {
    const cd = yield* this.sys.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, DUMB_64X64);
    this.call("ioctl", "DRM_IOCTL_MODE_CREATE_DUMB", cd, 0, cd.ok ? { handle: cd.value.handle, pitch: cd.value.pitch, size: Number(cd.value.size) } : {});
  }

  /** The fake offset of handle 1, recorded; 0 if the call fails. */
  *mapDumb(fd: Fd): Task<bigint> {
    const md = yield* this.sys.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: 1 });
    this.call("ioctl", "DRM_IOCTL_MODE_MAP_DUMB", md, 0, md.ok ? { offset: Number(md.value.offset) } : {});
    return md.ok ? md.value.offset : 0n;
  }

  *memWrite(what: string, addr: bigint, pattern: number): Task<void> {
    const buf = Buffer.alloc(WORDS * 4);
    for (let i = 0; i < WORDS; i++) buf.writeUInt32LE((pattern + i) >>> 0, i * 4);
    const r = yield* this.sys.memWrite(addr, buf);
    this.obs.push({ kind: "mem", scn: this.scn, what, op: "write", result: r.ok ? "ok" : r.signal, first: null, matchPattern: null, zero: null, ff: null });
  }

  /** Reads WORDS words and counts those that match `pattern` (+ index), are zero, are all ones. */
  *memRead(what: string, addr: bigint, pattern: number): Task<void> {
    const r = yield* this.sys.memRead(addr, WORDS * 4);
    if (!r.ok) {
      this.obs.push({ kind: "mem", scn: this.scn, what, op: "read", result: r.signal, first: null, matchPattern: null, zero: null, ff: null });
      return;
    }
    const b = Buffer.from(r.value);
    let match = 0;
    let zero = 0;
    let ff = 0;
    for (let i = 0; i < WORDS; i++) {
      const w = b.readUInt32LE(i * 4);
      if (w === ((pattern + i) >>> 0)) match++;
      if (w === 0) zero++;
      if (w === 0xffffffff) ff++;
    }
    this.obs.push({ kind: "mem", scn: this.scn, what, op: "read", result: "ok", first: `0x${b.readUInt32LE(0).toString(16).padStart(8, "0")}`, matchPattern: match, zero, ff });
  }

  /** poll() with a 200 ms timeout, then a read() that a 300 ms alarm interrupts. */
  *pollAndRead(fd: Fd): Task<void> {
    const pl = yield* this.sys.poll(fd, 0x7, 200);
    this.call("poll", "fd POLLIN|POLLOUT|POLLPRI", pl, pl.ok ? pl.value : -1);
    const rd = yield* this.sys.read(fd, 4096, 300);
    this.call("read", "fd (blocking, 300ms alarm)", rd, rd.ok ? rd.value.length : -1);
  }

  /** The calls the probe makes on a file that may be stale. */
  *staleCalls(fd: Fd, map: bigint, offset: bigint, pattern: number): Task<void> {
    const { sys } = this;
    yield* this.version(fd);
    yield* this.getCap(fd);
    this.call("ioctl", "DRM_IOCTL_MODE_GETRESOURCES", yield* sys.ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES), 0);
    this.call("ioctl", "DRM_IOCTL_MODE_CREATE_DUMB", yield* sys.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, DUMB_64X64), 0);
    this.call("ioctl", "DRM_IOCTL_MODE_MAP_DUMB", yield* sys.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: 0 }), 0);
    this.call("ioctl", "DRM_IOCTL_MODE_ATOMIC(TEST_ONLY,0 objs)", yield* sys.ioctl(fd, DRM_IOCTL_MODE_ATOMIC, ATOMIC_TEST_ONLY_EMPTY), 0);
    yield* this.memRead("old map", map, pattern);
    this.call("mmap", "new mmap of old map offset", yield* sys.mmap(fd, offset, WORDS * 4), 0);
    yield* this.memWrite("old map", map, pattern + 0x10000);
    yield* this.memRead("old map", map, pattern + 0x10000);
    yield* this.pollAndRead(fd);
  }

  /**
   * open card (O_RDWR|O_CLOEXEC, as the probe opens it), VERSION, GET_CAP, ATOMIC cap,
   * CREATE_DUMB, MAP_DUMB, mmap, write and read through the mapping (called `mapName`).
   */
  *openAndMap(node: string, pattern: number, mapName = "map"): Task<Mapped> {
    const { sys } = this;
    const fd = yield* sys.open(node, { cloexec: true });
    this.call("open", node, fd, null);
    if (!fd.ok) throw new Error(`Cannot replay: open ${node} failed with ${fd.errno}`);
    yield* this.version(fd.value);
    yield* this.getCap(fd.value);
    this.call("ioctl", "DRM_IOCTL_SET_CLIENT_CAP(ATOMIC=1)", yield* sys.ioctl(fd.value, DRM_IOCTL_SET_CLIENT_CAP, { capability: DRM_CLIENT_CAP.DRM_CLIENT_CAP_ATOMIC, value: 1n }), 0);
    yield* this.createDumb(fd.value);
    const offset = yield* this.mapDumb(fd.value);
    const map = yield* sys.mmap(fd.value, offset, WORDS * 4);
    this.call("mmap", "dumb buffer", map, 0);
    if (!map.ok) throw new Error(`Cannot replay: mmap failed with ${map.errno}`);
    yield* this.memWrite(mapName, map.value, pattern);
    yield* this.memRead(mapName, map.value, pattern);
    return { fd: fd.value, map: map.value, offset };
  }

  /** close() of the file, munmap() of its old mapping, then the snapshot. */
  *closeAndUnmap(m: Mapped): Task<void> {
    this.call("close", "card fd", yield* this.sys.close(m.fd), 0);
    this.call("munmap", "old map", yield* this.sys.munmap(m.map, WORDS * 4), 0);
    yield* this.snapshot("after close(old fds) + munmap(old map)");
  }

  /** open() of the old node path and of a fresh node with the old number; each is closed at once. */
  *staleOpens(minor: number, versionOnFresh = false): Task<void> {
    const { sys } = this;
    const o1 = yield* sys.open(`/dev/dri/card${minor}`);
    this.call("open", "old node path", o1, null);
    if (o1.ok) yield* sys.close(o1.value);
    const mk = yield* sys.mknod(`/tmp/stale-card-${this.scn}`, 226, minor);
    this.call("mknod", "stale-card", mk, 0);
    const o2 = yield* sys.open(`/tmp/stale-card-${this.scn}`);
    this.call("open", "fresh mknod of old card major:minor", o2, null);
    if (o2.ok) {
      if (versionOnFresh) yield* this.version(o2.value, "DRM_IOCTL_VERSION(fresh-node fd)");
      yield* sys.close(o2.value);
    }
  }
}
