/**
 * Replays the steps of the real-kernel recording against the model (driver bochs-drm at
 * 0000:01:00.0, kernel 6.12) and records the same kinds of observations.
 *
 * The program holds a file, a dumb buffer and its mapping across unbind/rebind, remove/rescan
 * and a slot hot-unplug, exactly in the order the recording's probe did.
 */
import type { Process } from "../base/mod.js";
import type { Task } from "../kernel/mod.js";
import { formatUeventRaw, type Fd, type Uevent } from "../uapi/mod.js";
import { World } from "../world/world.js";
import { isModelledUevent, ueventRawWithoutSeqnum, type Observation } from "./observation.js";

const BDF = "0000:01:00.0";
const BDF2 = "0000:02:00.0";
const DRV = "bochs-drm";
const WORDS = 4096;

export interface ReplayResult {
  readonly observations: Observation[];
  readonly world: World;
}

export function replayRecording(seed = 1): ReplayResult {
  const world = new World({ seed, profile: "mainline", kernel: "6.12", devices: [{ bdf: BDF, driver: DRV }], schedule: "fifo" });
  const obs: Observation[] = [];
  let scn = "init";
  // The card is in its slot and enumerated before the probe binds its uevent socket.
  world.sim.runTask("boot", (function* () {
    yield* world.bus.insertCard(BDF, world.makeCard({ bdf: BDF, driver: DRV }));
    world.bus.addRootPort(2); // the recording's machine has a second, empty hot-plug slot
    yield* world.bus.enumerate();
  })());
  const unsubscribe = world.kernel.uevents.subscribe({
    deliver(ev: Uevent) {
      const raw = formatUeventRaw(ev);
      if (isModelledUevent(raw)) obs.push({ kind: "uevent", scn, raw: ueventRawWithoutSeqnum(raw) });
    },
  });
  const p = world.spawnProgram("probe", (proc) => probe(world, proc, obs, (s) => (scn = s)));
  world.run();
  unsubscribe();
  if (p.task.error !== undefined) throw p.task.error;
  return { observations: obs, world };
}

function* probe(world: World, sys: Process, obs: Observation[], setScn: (s: string) => void): Task<void> {
  let scn = "load";
  // Kernel messages belong to the step in which they were printed; they are collected when it ends.
  let kmsgSeen = world.sim.kmsg.length;
  const flushKmsg = (): void => {
    for (const line of world.sim.kmsg.slice(kmsgSeen)) {
      const msg = line.replace(/^<\d+>/, "");
      if (msg.startsWith("[drm] Initialized")) obs.push({ kind: "kmsg", scn, msg });
    }
    kmsgSeen = world.sim.kmsg.length;
  };
  const at = (s: string): void => {
    flushKmsg();
    scn = s;
    setScn(s);
  };
  const call = (op: string, what: string, r: { ok: boolean; errno?: string }, ret: number | null, fields: Record<string, string | number> = {}): void => {
    obs.push({ kind: "call", scn, op, what, ok: r.ok, ret: r.ok ? ret : -1, errno: r.ok ? null : (r.errno ?? null), fields });
  };
  const minors = function* (why: string): Task<void> {
    const r = yield* sys.readdir("/sys/class/drm");
    const cards: string[] = [];
    for (const e of r.ok ? r.value : []) {
      if (!/^card\d+$/.test(e.name)) continue;
      const dev = yield* sys.readFile(`/sys/class/drm/${e.name}/dev`);
      const parent = yield* sys.readlink(`/sys/class/drm/${e.name}/device`);
      cards.push(`${e.name}=${dev.ok ? dev.value.trim() : "?"}@${parent.ok ? parent.value.split("/").pop() : "?"}`);
    }
    obs.push({ kind: "minors", scn, why, cards });
  };
  const ls = function* (path: string): Task<void> {
    const r = yield* sys.readdir(path);
    if (!r.ok) {
      obs.push({ kind: "ls", scn, path, entries: null });
      return;
    }
    const entries: string[] = [];
    for (const e of r.value) {
      if (path === "/dev/dri") {
        const dev = yield* sys.readFile(`/sys/class/drm/${e.name}/dev`);
        entries.push(`${e.name}=${dev.ok ? dev.value.trim() : "?"}`);
      } else entries.push(e.name);
    }
    obs.push({ kind: "ls", scn, path, entries: entries.sort() });
  };
  /** The card minors in sysfs, then /dev/dri: what the recording notes after every admin step. */
  const snapshot = function* (why: string): Task<void> {
    yield* minors(why);
    yield* ls("/dev/dri");
  };
  const version = function* (fd: Fd, what = "DRM_IOCTL_VERSION"): Task<void> {
    const r = yield* sys.ioctl(fd, "DRM_IOCTL_VERSION");
    call("ioctl", what, r, 0, r.ok ? { name: String(r.value["name"]), version: String(r.value["version"]), date: String(r.value["date"]), desc: String(r.value["desc"]) } : {});
  };
  const getCap = function* (fd: Fd): Task<void> {
    const r = yield* sys.ioctl(fd, "DRM_IOCTL_GET_CAP", { capability: 1 });
    call("ioctl", "DRM_IOCTL_GET_CAP", r, 0, r.ok ? { cap: "DUMB_BUFFER", value: Number(r.value["value"]) } : { cap: "DUMB_BUFFER" });
  };
  const memWrite = function* (what: string, addr: bigint, pattern: number): Task<void> {
    const buf = Buffer.alloc(WORDS * 4);
    for (let i = 0; i < WORDS; i++) buf.writeUInt32LE((pattern + i) >>> 0, i * 4);
    const r = yield* sys.memWrite(addr, buf);
    obs.push({ kind: "mem", scn, what, op: "write", result: r.ok ? "ok" : r.signal, first: null, matchPattern: null, zero: null, ff: null });
  };
  const memRead = function* (what: string, addr: bigint, pattern: number): Task<void> {
    const r = yield* sys.memRead(addr, WORDS * 4);
    if (!r.ok) {
      obs.push({ kind: "mem", scn, what, op: "read", result: r.signal, first: null, matchPattern: null, zero: null, ff: null });
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
    obs.push({ kind: "mem", scn, what, op: "read", result: "ok", first: `0x${b.readUInt32LE(0).toString(16).padStart(8, "0")}`, matchPattern: match, zero, ff });
  };
  const sysfsWrite = function* (path: string, value: string): Task<void> {
    const r = yield* sys.writeFile(path, value);
    call("sysfs_write", path, r, r.ok ? r.value : -1);
  };
  /** The calls the probe makes on a file that may be stale. */
  const staleCalls = function* (fd: Fd, map: bigint, offset: bigint, pattern: number): Task<void> {
    yield* version(fd);
    yield* getCap(fd);
    const res = yield* sys.ioctl(fd, "DRM_IOCTL_MODE_GETRESOURCES");
    call("ioctl", "DRM_IOCTL_MODE_GETRESOURCES", res, 0);
    const cd = yield* sys.ioctl(fd, "DRM_IOCTL_MODE_CREATE_DUMB", { width: 64, height: 64, bpp: 32 });
    call("ioctl", "DRM_IOCTL_MODE_CREATE_DUMB", cd, 0);
    const md = yield* sys.ioctl(fd, "DRM_IOCTL_MODE_MAP_DUMB", { handle: 0 });
    call("ioctl", "DRM_IOCTL_MODE_MAP_DUMB", md, 0);
    const at2 = yield* sys.ioctl(fd, "DRM_IOCTL_MODE_ATOMIC", { flags: 0x100, count_objs: 0 });
    call("ioctl", "DRM_IOCTL_MODE_ATOMIC(TEST_ONLY,0 objs)", at2, 0);
    yield* memRead("old map", map, pattern);
    const m2 = yield* sys.mmap(fd, offset, WORDS * 4);
    call("mmap", "new mmap of old map offset", m2, 0);
    yield* memWrite("old map", map, pattern + 0x10000);
    yield* memRead("old map", map, pattern + 0x10000);
    const pl = yield* sys.poll(fd, 0x7, 200);
    call("poll", "fd POLLIN|POLLOUT|POLLPRI", pl, pl.ok ? pl.value : -1);
    const rd = yield* sys.read(fd, 4096, 300);
    call("read", "fd (blocking, 300ms alarm)", rd, rd.ok ? rd.value.length : -1);
  };
  /** open card, VERSION, GET_CAP, ATOMIC cap, CREATE_DUMB, MAP_DUMB, mmap, write and read. */
  const openAndMap = function* (node: string, pattern: number): Task<{ fd: Fd; map: bigint; offset: bigint }> {
    const fd = yield* sys.open(node);
    call("open", node, fd, null);
    if (!fd.ok) throw new Error(`Cannot replay: open ${node} failed with ${fd.errno}`);
    yield* version(fd.value);
    yield* getCap(fd.value);
    const cc = yield* sys.ioctl(fd.value, "DRM_IOCTL_SET_CLIENT_CAP", { capability: 3, value: 1 });
    call("ioctl", "DRM_IOCTL_SET_CLIENT_CAP(ATOMIC=1)", cc, 0);
    const cd = yield* sys.ioctl(fd.value, "DRM_IOCTL_MODE_CREATE_DUMB", { width: 64, height: 64, bpp: 32 });
    call("ioctl", "DRM_IOCTL_MODE_CREATE_DUMB", cd, 0, cd.ok ? { handle: Number(cd.value["handle"]), pitch: Number(cd.value["pitch"]), size: Number(cd.value["size"]) } : {});
    const md = yield* sys.ioctl(fd.value, "DRM_IOCTL_MODE_MAP_DUMB", { handle: 1 });
    call("ioctl", "DRM_IOCTL_MODE_MAP_DUMB", md, 0, md.ok ? { offset: Number(md.value["offset"]) } : {});
    const offset = BigInt(md.ok ? Number(md.value["offset"]) : 0);
    const map = yield* sys.mmap(fd.value, offset, WORDS * 4);
    call("mmap", "dumb buffer", map, 0);
    if (!map.ok) throw new Error(`Cannot replay: mmap failed with ${map.errno}`);
    yield* memWrite("map", map.value, pattern);
    yield* memRead("map", map.value, pattern);
    return { fd: fd.value, map: map.value, offset };
  };
  /** open() of the old node path and of a fresh node with the old number; each is closed at once. */
  const staleOpens = function* (minor: number, versionOnFresh = false): Task<void> {
    const o1 = yield* sys.open(`/dev/dri/card${minor}`);
    call("open", "old node path", o1, null);
    if (o1.ok) yield* sys.close(o1.value);
    const mk = yield* sys.mknod(`/tmp/stale-card-${scn}`, 226, minor);
    call("mknod", "stale-card", mk, 0);
    const o2 = yield* sys.open(`/tmp/stale-card-${scn}`);
    call("open", "fresh mknod of old card major:minor", o2, null);
    if (o2.ok) {
      if (versionOnFresh) yield* version(o2.value, "DRM_IOCTL_VERSION(fresh-node fd)");
      yield* sys.close(o2.value);
    }
  };

  // load: modprobe bochs
  at("load");
  yield* world.loadDriver(DRV);
  yield* snapshot("after load");

  // a_open: the file, the buffer and two mappings; the stale-path checks while alive
  at("a_open");
  const a = yield* openAndMap("/dev/dri/card0", 0xa1000000);
  yield* version(a.fd);
  yield* getCap(a.fd);
  const res = yield* sys.ioctl(a.fd, "DRM_IOCTL_MODE_GETRESOURCES");
  call("ioctl", "DRM_IOCTL_MODE_GETRESOURCES", res, 0, res.ok ? { crtcs: Number(res.value["count_crtcs"]), connectors: Number(res.value["count_connectors"]), encoders: Number(res.value["count_encoders"]), fbs: Number(res.value["count_fbs"]) } : {});
  const cd2 = yield* sys.ioctl(a.fd, "DRM_IOCTL_MODE_CREATE_DUMB", { width: 64, height: 64, bpp: 32 });
  call("ioctl", "DRM_IOCTL_MODE_CREATE_DUMB", cd2, 0, cd2.ok ? { handle: Number(cd2.value["handle"]), pitch: Number(cd2.value["pitch"]), size: Number(cd2.value["size"]) } : {});
  const md2 = yield* sys.ioctl(a.fd, "DRM_IOCTL_MODE_MAP_DUMB", { handle: 1 });
  call("ioctl", "DRM_IOCTL_MODE_MAP_DUMB", md2, 0, md2.ok ? { offset: Number(md2.value["offset"]) } : {});
  const atomic = yield* sys.ioctl(a.fd, "DRM_IOCTL_MODE_ATOMIC", { flags: 0x100, count_objs: 0 });
  call("ioctl", "DRM_IOCTL_MODE_ATOMIC(TEST_ONLY,0 objs)", atomic, 0);
  yield* memRead("old map", a.map, 0xa1000000);
  const nm = yield* sys.mmap(a.fd, a.offset, WORDS * 4);
  call("mmap", "new mmap of old map offset", nm, 0);
  if (nm.ok) {
    yield* memRead("new map", nm.value, 0xa1000000);
    yield* memWrite("new map", nm.value, 0xa1100000);
    yield* memRead("new map", nm.value, 0xa1100000);
    yield* memRead("old map (after new-map write)", a.map, 0xa1100000);
    const un = yield* sys.munmap(nm.value, WORDS * 4);
    call("munmap", "new map", un, 0);
  }
  yield* memWrite("old map", a.map, 0xa1110000);
  yield* memRead("old map", a.map, 0xa1110000);
  const pl = yield* sys.poll(a.fd, 0x7, 200);
  call("poll", "fd POLLIN|POLLOUT|POLLPRI", pl, pl.ok ? pl.value : -1);
  const rd = yield* sys.read(a.fd, 4096, 300);
  call("read", "fd (blocking, 300ms alarm)", rd, rd.ok ? rd.value.length : -1);
  yield* staleOpens(0, true);
  yield* ls("/dev/dri");
  yield* ls("/sys/class/drm");

  at("b_unbind");
  yield* sysfsWrite(`/sys/bus/pci/drivers/${DRV}/unbind`, BDF);
  yield* staleCalls(a.fd, a.map, a.offset, 0xa1110000);
  yield* staleOpens(0);
  yield* ls("/dev/dri");
  yield* ls("/sys/class/drm");
  yield* snapshot("after unbind, old fd open");

  at("c_rebind");
  yield* sysfsWrite(`/sys/bus/pci/drivers/${DRV}/bind`, BDF);
  yield* snapshot("after rebind, old fd still open");
  at("c_close_old_fd");
  const cl = yield* sys.close(a.fd);
  call("close", "card fd", cl, 0);
  yield* snapshot("after close(old fds), old mapping still held");
  at("c_unbind2");
  yield* sysfsWrite(`/sys/bus/pci/drivers/${DRV}/unbind`, BDF);
  yield* snapshot("after second unbind");
  at("c_bind2");
  yield* sysfsWrite(`/sys/bus/pci/drivers/${DRV}/bind`, BDF);
  yield* snapshot("after second bind (old fds closed, old mapping held)");
  at("c_munmap_old");
  yield* memRead("old map (fd closed)", a.map, 0xa1120000);
  const um = yield* sys.munmap(a.map, WORDS * 4);
  call("munmap", "old map", um, 0);
  yield* snapshot("after munmap(old map)");
  at("c_unbind3");
  yield* sysfsWrite(`/sys/bus/pci/drivers/${DRV}/unbind`, BDF);
  yield* snapshot("after third unbind");
  at("c_bind3");
  yield* sysfsWrite(`/sys/bus/pci/drivers/${DRV}/bind`, BDF);
  yield* snapshot("after third bind (old fd closed and unmapped)");

  at("d_open");
  const d = yield* openAndMap("/dev/dri/card0", 0xd1000000);
  at("d_remove");
  yield* sysfsWrite(`/sys/bus/pci/devices/${BDF}/remove`, "1");
  yield* staleCalls(d.fd, d.map, d.offset, 0xd1000000);
  yield* staleOpens(0);
  yield* ls("/dev/dri");
  yield* ls("/sys/class/drm");
  yield* snapshot("after remove, fd open");
  at("d_rescan");
  yield* sysfsWrite("/sys/bus/pci/rescan", "1");
  yield* snapshot("after rescan, old fd still open");
  at("d_close_old");
  call("close", "card fd", yield* sys.close(d.fd), 0);
  call("munmap", "old map", yield* sys.munmap(d.map, WORDS * 4), 0);
  yield* snapshot("after close(old fds) + munmap(old map)");

  at("e_open");
  const e = yield* openAndMap("/dev/dri/card1", 0xe1000000);
  at("e_hotunplug");
  // The attention button: pciehp unbinds the driver with the card still present, then removes it.
  yield* world.kernel.sysfs.write("/sys/bus/pci/slots/1/power", "0");
  world.bus.pullCards(1);
  yield* staleCalls(e.fd, e.map, e.offset, 0xe1000000);
  yield* staleOpens(1);
  yield* ls("/dev/dri");
  yield* ls("/sys/class/drm");
  yield* snapshot("after hot-unplug, fd open");

  at("f_hotplug");
  yield* world.bus.hotplugCard(BDF2, world.makeCard({ bdf: BDF2, driver: DRV }));
  yield* snapshot("after hot re-plug, old fd still open");
  at("f_close_old");
  call("close", "card fd", yield* sys.close(e.fd), 0);
  call("munmap", "old map", yield* sys.munmap(e.map, WORDS * 4), 0);
  yield* snapshot("after close(old fds) + munmap(old map)");
  flushKmsg();
}
