/**
 * The virtio-gpu model as a program and an administrator see it: its uevents at bind and
 * remove (the virtio device between the PCI function and the DRM minors), its kernel log, its
 * card and render nodes, its private ioctls on the render node, 32 bpp dumb buffers, resource
 * ids, and a shmem buffer whose bytes a mapping still reads after the device is gone (R52).
 *
 * @see drivers/gpu/drm/virtio/ in Linux 6.12
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_MAP_DUMB,
  DRM_IOCTL_VERSION,
  DRM_IOCTL_VIRTGPU_EXECBUFFER,
  DRM_IOCTL_VIRTGPU_GETPARAM,
  DRM_IOCTL_VIRTGPU_MAP,
  DRM_IOCTL_VIRTGPU_RESOURCE_CREATE,
  DRM_IOCTL_VIRTGPU_RESOURCE_INFO,
  ueventGet,
  VIRTGPU_PARAM,
  type Uevent,
} from "../uapi/mod.js";
import {
  BDF,
  bind,
  drainUevents,
  errnoOf,
  names,
  openOk,
  pciRemove,
  pciRescan,
  ueventSocketOk,
  unbind,
  userSession,
} from "./_testing.js";

const VIRTIO_GPU = { devices: [{ bdf: BDF, driver: "virtio-gpu" }] };

/** "action last-part-of-devpath SUBSYSTEM [DRIVER] [MODALIAS]" */
function brief(ev: Uevent): string {
  const keys = ["SUBSYSTEM", "DEVTYPE", "DRIVER", "MODALIAS"].map((k) => ueventGet(ev, k));
  return [ev.action, ev.devpath.split("/").at(-1), ...keys.filter((v) => v !== undefined)].join(" ");
}

describe("virtio-gpu probe and remove", () => {
  test("unbind of virtio-pci takes the DRM minors, then the virtio device, then the PCI binding; bind brings them back (R2, R5)", () => {
    const s = userSession(VIRTIO_GPU);
    const seen = s.run(function* (sys) {
      const sock = yield* ueventSocketOk(sys);
      yield* unbind(sys, "virtio-pci");
      const unbound = (yield* drainUevents(sys, sock)).map(brief);
      yield* bind(sys, "virtio-pci");
      const bound = (yield* drainUevents(sys, sock)).map(brief);
      return { unbound, bound, virtio: yield* names(sys, "/sys/bus/virtio/drivers/virtio_gpu") };
    });
    const modalias = "virtio:d00000010v00001AF4";
    assert.deepEqual(seen, {
      unbound: [
        "remove card0-Virtual-1 drm drm_connector",
        "remove card0 drm drm_minor",
        "remove renderD128 drm drm_minor",
        "unbind virtio0 virtio",
        `remove virtio0 virtio ${modalias}`,
        "unbind 0000:01:00.0 pci",
      ],
      bound: [
        `add virtio0 virtio ${modalias}`,
        "add renderD128 drm drm_minor",
        "add card0 drm drm_minor",
        "add card0-Virtual-1 drm drm_connector",
        "change card0 drm drm_minor",
        `bind virtio0 virtio virtio_gpu ${modalias}`,
        `bind 0000:01:00.0 pci virtio-pci pci:v00001AF4d00001050sv00001AF4sd00001100bc03sc80i00`,
      ],
      virtio: ["virtio0"],
    });
    assert.equal(s.shutdown(), 0);
    assert.deepEqual(s.world.sim.findings, []);
  });

  test("probe logs what Linux 6.12 logs for QEMU's virtio-gpu-pci; the nodes sit under the PCI function", () => {
    const s = userSession(VIRTIO_GPU);
    const probe = s.world.sim.kmsg.filter((l) => l.includes("[drm]")).map((l) => l.replace(/^<\d>/, ""));
    assert.deepEqual(probe, [
      "[drm] pci: virtio-gpu-pci detected at 0000:01:00.0",
      "[drm] features: -virgl +edid -resource_blob -host_visible",
      "[drm] features: -context_init",
      "[drm] number of scanouts: 1",
      "[drm] number of cap sets: 0",
      "[drm] Initialized virtio_gpu 0.1.0 for 0000:01:00.0 on minor 0",
    ]);
    const seen = s.run(function* (sys) {
      const fd = yield* openOk(sys, "/dev/dri/renderD128");
      const version = yield* sys.ioctl(fd, DRM_IOCTL_VERSION, { name_len: 16n, desc_len: 16n, date_len: 4n });
      return {
        drm: yield* names(sys, `/sys/bus/pci/devices/${BDF}/drm`),
        driver: yield* sys.readlink(`/sys/bus/pci/devices/${BDF}/driver`),
        version: version.ok ? [version.value.name, version.value.desc, version.value.version_minor] : version.errno,
      };
    });
    assert.deepEqual(seen, {
      drm: ["card0", "renderD128"],
      driver: { ok: true, value: "../../../../bus/pci/drivers/virtio-pci" },
      version: ["virtio_gpu", "virtio GPU", 1],
    });
    assert.equal(s.shutdown(), 0);
  });
});

describe("virtio-gpu ioctls on the render node", () => {
  test("GETPARAM answers for a device without virgl, blob or context init; an unknown param is EINVAL", () => {
    const s = userSession(VIRTIO_GPU);
    const P = VIRTGPU_PARAM;
    const params = [
      P.VIRTGPU_PARAM_3D_FEATURES,
      P.VIRTGPU_PARAM_CAPSET_QUERY_FIX,
      P.VIRTGPU_PARAM_RESOURCE_BLOB,
      P.VIRTGPU_PARAM_HOST_VISIBLE,
      P.VIRTGPU_PARAM_CONTEXT_INIT,
      P.VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs,
      99,
    ];
    const values = s.run(function* (sys) {
      const fd = yield* openOk(sys, "/dev/dri/renderD128");
      const out: (string | bigint)[] = [];
      for (const param of params) {
        const r = yield* sys.ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, { param: BigInt(param) });
        out.push(r.ok ? r.value.value : r.errno);
      }
      return out;
    });
    assert.deepEqual(values, [0n, 1n, 0n, 0n, 0n, 0n, "EINVAL"]);
    assert.equal(s.shutdown(), 0);
  });

  test("RESOURCE_CREATE makes a 2D resource (ids from 2, never reused), INFO and MAP find it; EXECBUFFER is ENOSYS", () => {
    const s = userSession(VIRTIO_GPU);
    const seen = s.run(function* (sys) {
      const fd = yield* openOk(sys, "/dev/dri/renderD128");
      const create = (size: number, target = 2) =>
        sys.ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, { target, format: 1, width: 8, height: 8, size });
      const a = yield* create(0);
      const b = yield* create(5000);
      const cube = yield* create(4096, 3);
      const info = yield* sys.ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, { bo_handle: 2, blob_mem: 7 });
      const missing = yield* sys.ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, { bo_handle: 9 });
      const map = yield* sys.ioctl(fd, DRM_IOCTL_VIRTGPU_MAP, { handle: 1 });
      const closed = yield* sys.close(fd);
      const again = yield* openOk(sys, "/dev/dri/renderD128");
      const after = yield* sys.ioctl(again, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, { target: 2, size: 1 });
      const exec = yield* sys.ioctl(again, DRM_IOCTL_VIRTGPU_EXECBUFFER, {});
      return { a, b, cube: errnoOf(cube), info, missing: errnoOf(missing), map, closed: errnoOf(closed), after, exec: errnoOf(exec) };
    });
    assert.deepEqual(seen, {
      a: { ok: true, value: { bo_handle: 1, res_handle: 2 } },
      b: { ok: true, value: { bo_handle: 2, res_handle: 3 } },
      cube: "EINVAL",
      info: { ok: true, value: { res_handle: 3, size: 8192, blob_mem: 7 } },
      missing: "ENOENT",
      map: { ok: true, value: { offset: 0x100000000n } },
      closed: "ok",
      after: { ok: true, value: { bo_handle: 1, res_handle: 4 } },
      exec: "ENOSYS",
    });
    assert.equal(s.shutdown(), 0);
  });

  test("dumb buffers are 32 bpp only, pitch width x 4 and size in whole pages", () => {
    const s = userSession(VIRTIO_GPU);
    const seen = s.run(function* (sys) {
      const fd = yield* openOk(sys, "/dev/dri/card0");
      return [
        yield* sys.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 10, height: 10, bpp: 32 }),
        errnoOf(yield* sys.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, { width: 10, height: 10, bpp: 16 })),
      ];
    });
    assert.deepEqual(seen, [{ ok: true, value: { handle: 1, pitch: 40, size: 4096n } }, "EINVAL"]);
    assert.equal(s.shutdown(), 0);
  });
});

describe("virtio-gpu buffers across unplug", () => {
  test("a render-node mapping of a shmem buffer keeps its bytes after the PCI device is removed; the mapping holds the old minors (R52, R15)", () => {
    const s = userSession(VIRTIO_GPU);
    const seen = s.run(function* (sys) {
      const fd = yield* openOk(sys, "/dev/dri/renderD128");
      const res = yield* sys.ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, { target: 2, size: 8192 });
      assert.ok(res.ok);
      const dumbMap = errnoOf(yield* sys.ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, { handle: res.value.bo_handle }));
      const map = yield* sys.ioctl(fd, DRM_IOCTL_VIRTGPU_MAP, { handle: res.value.bo_handle });
      assert.ok(map.ok);
      const addr = yield* sys.mmap(fd, map.value.offset, 8192);
      assert.ok(addr.ok);
      yield* sys.memWrite(addr.value + 4096n, Uint8Array.from([1, 2, 3]));
      yield* pciRemove(sys);
      const read = yield* sys.memRead(addr.value + 4096n, 3);
      const written = yield* sys.memWrite(addr.value, Uint8Array.from([9]));
      const back = yield* sys.memRead(addr.value, 1);
      const mmapAgain = errnoOf(yield* sys.mmap(fd, map.value.offset, 8192));
      const ioctl = errnoOf(yield* sys.ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, { param: 1n }));
      yield* sys.close(fd);
      yield* pciRescan(sys);
      const heldNodes = yield* names(sys, `/sys/bus/pci/devices/${BDF}/drm`);
      yield* sys.munmap(addr.value, 8192);
      return { dumbMap, read, written, back, mmapAgain, ioctl, heldNodes };
    });
    assert.deepEqual(seen, {
      dumbMap: "EACCES",
      read: { ok: true, value: Uint8Array.from([1, 2, 3]) },
      written: { ok: true, value: 1 },
      back: { ok: true, value: Uint8Array.from([9]) },
      mmapAgain: "ENODEV",
      ioctl: "ENODEV",
      heldNodes: ["card1", "renderD129"],
    });
    assert.equal(s.shutdown(), 0);
    assert.deepEqual(s.world.sim.findings, []);
  });
});
