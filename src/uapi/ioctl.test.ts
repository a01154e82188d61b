import assert from "node:assert/strict";
import { test } from "node:test";
import { drm_version } from "./drm.js";
import { DRM_IOCTL_VERSION } from "./drm_ioctls.js";
import { drm_mode_create_dumb, drm_mode_crtc, drm_mode_modeinfo } from "./drm_mode.js";
import { ioc, iocDir, iocNr, iocSize, iocType, IOC_READ, IOC_WRITE } from "./ioctl.js";
import { __s32, __u32, __u64, chars, fieldValueProblem } from "./ioctl_struct.js";
import { structFromBytes, structToBytes } from "./struct_bytes.js";
import { DRM_IOCTL_NAMES, ioctlByCmd, ioctlByName, KNOWN_IOCTLS } from "./ioctl_table.js";

// The numbers as strace and the C headers of x86-64 print them (from include/uapi/drm/drm.h).
const KNOWN: Record<string, number> = {
  DRM_IOCTL_VERSION: 0xc0406400,
  DRM_IOCTL_GET_UNIQUE: 0xc0106401,
  DRM_IOCTL_GET_MAGIC: 0x80046402,
  DRM_IOCTL_GET_CLIENT: 0xc0286405,
  DRM_IOCTL_SET_VERSION: 0xc0106407,
  DRM_IOCTL_GEM_CLOSE: 0x40086409,
  DRM_IOCTL_GET_CAP: 0xc010640c,
  DRM_IOCTL_SET_CLIENT_CAP: 0x4010640d,
  DRM_IOCTL_AUTH_MAGIC: 0x40046411,
  DRM_IOCTL_SET_MASTER: 0x641e,
  DRM_IOCTL_DROP_MASTER: 0x641f,
  DRM_IOCTL_PRIME_HANDLE_TO_FD: 0xc00c642d,
  DRM_IOCTL_MODE_GETRESOURCES: 0xc04064a0,
  DRM_IOCTL_MODE_GETCRTC: 0xc06864a1,
  DRM_IOCTL_MODE_GETENCODER: 0xc01464a6,
  DRM_IOCTL_MODE_GETCONNECTOR: 0xc05064a7,
  DRM_IOCTL_MODE_GETPROPERTY: 0xc04064aa,
  DRM_IOCTL_MODE_GETPROPBLOB: 0xc01064ac,
  DRM_IOCTL_MODE_ADDFB: 0xc01c64ae,
  DRM_IOCTL_MODE_RMFB: 0xc00464af,
  DRM_IOCTL_MODE_PAGE_FLIP: 0xc01864b0,
  DRM_IOCTL_MODE_CREATE_DUMB: 0xc02064b2,
  DRM_IOCTL_MODE_MAP_DUMB: 0xc01064b3,
  DRM_IOCTL_MODE_DESTROY_DUMB: 0xc00464b4,
  DRM_IOCTL_MODE_GETPLANERESOURCES: 0xc01064b5,
  DRM_IOCTL_MODE_GETPLANE: 0xc02064b6,
  DRM_IOCTL_MODE_ADDFB2: 0xc06864b8,
  DRM_IOCTL_MODE_OBJ_GETPROPERTIES: 0xc02064b9,
  DRM_IOCTL_MODE_ATOMIC: 0xc03864bc,
  DRM_IOCTL_MODE_CREATEPROPBLOB: 0xc01064bd,
  DRM_IOCTL_MODE_DESTROYPROPBLOB: 0xc00464be,
  DRM_IOCTL_SYNCOBJ_CREATE: 0xc00864bf,
  DRM_IOCTL_SYNCOBJ_DESTROY: 0xc00864c0,
  DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD: 0xc01064c1,
  DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE: 0xc01064c2,
  // struct drm_syncobj_wait is 40 bytes since deadline_nsec (v6.5)
  DRM_IOCTL_SYNCOBJ_WAIT: 0xc02864c3,
  DRM_IOCTL_SYNCOBJ_RESET: 0xc01064c4,
  DRM_IOCTL_SYNCOBJ_SIGNAL: 0xc01064c5,
  // _IOWR('>', 4, struct sync_file_info), include/uapi/linux/sync_file.h
  SYNC_IOC_FILE_INFO: 0xc0383e04,
  DRM_IOCTL_MODE_CREATE_LEASE: 0xc01864c6,
  DRM_IOCTL_MODE_LIST_LESSEES: 0xc01064c7,
  DRM_IOCTL_MODE_GET_LEASE: 0xc01064c8,
  DRM_IOCTL_MODE_REVOKE_LEASE: 0xc00464c9,
  DRM_IOCTL_PRIME_FD_TO_HANDLE: 0xc00c642e,
  // include/uapi/linux/dma-buf.h, magic 'b'
  DMA_BUF_IOCTL_SYNC: 0x40086200,
  DMA_BUF_SET_NAME: 0x40086201,
  DMA_BUF_IOCTL_EXPORT_SYNC_FILE: 0xc0086202,
  // _IOW('d', DRM_COMMAND_BASE + 0x00, struct drm_vtest_hold_enter): the vtest driver's own
  DRM_IOCTL_VTEST_HOLD_ENTER: 0x40086440,
  // include/uapi/drm/virtgpu_drm.h, as strace prints them
  DRM_IOCTL_VIRTGPU_MAP: 0xc0106441,
  DRM_IOCTL_VIRTGPU_EXECBUFFER: 0xc0406442,
  DRM_IOCTL_VIRTGPU_GETPARAM: 0xc0106443,
  DRM_IOCTL_VIRTGPU_RESOURCE_CREATE: 0xc0386444,
  DRM_IOCTL_VIRTGPU_RESOURCE_INFO: 0xc0106445,
};

test("the ioctls have the exact numbers of the x86-64 kernel headers", () => {
  for (const [name, cmd] of Object.entries(KNOWN)) {
    const def = ioctlByName(name);
    assert.ok(def !== undefined, `${name} is known`);
    assert.equal(def.cmd, cmd, `${name} is 0x${cmd.toString(16)}, got 0x${def.cmd.toString(16)}`);
  }
});

test("every ioctl's number carries the size of its struct description", () => {
  for (const def of KNOWN_IOCTLS) {
    assert.equal(
      iocSize(def.cmd),
      def.struct.sizeBytes,
      `${def.name}: struct ${def.struct.name} is ${def.struct.sizeBytes} bytes`,
    );
    assert.equal(def.sizeBytes, def.struct.sizeBytes, def.name);
  }
});

test("every ioctl's field directions agree with its number's direction", () => {
  for (const def of KNOWN_IOCTLS) {
    const dir = iocDir(def.cmd);
    const fields = Object.keys(def.struct.fields);
    assert.deepEqual(
      Object.keys(def.fieldDirs).sort(),
      [...fields].sort(),
      `${def.name} gives every field a direction`,
    );
    if ((dir & IOC_WRITE) === 0)
      assert.deepEqual(def.inFields, [], `${def.name} copies nothing in, so it reads no field`);
    if ((dir & IOC_READ) === 0)
      assert.deepEqual(def.outFields, [], `${def.name} copies nothing out, so it returns no field`);
    if (dir === 0) assert.equal(def.struct.sizeBytes, 0, `${def.name} takes no argument`);
    for (const f of fields)
      assert.ok(
        def.inFields.includes(f) || def.outFields.includes(f),
        `${def.name}.${f} is read or written`,
      );
  }
});

test("struct layouts follow the x86-64 ABI: natural alignment, size rounded to the largest", () => {
  assert.deepEqual(drm_version.offsets, {
    version_major: 0,
    version_minor: 4,
    version_patchlevel: 8,
    name_len: 16,
    name: 24,
    date_len: 32,
    date: 40,
    desc_len: 48,
    desc: 56,
  });
  assert.equal(drm_version.sizeBytes, 64);
  assert.deepEqual(drm_mode_create_dumb.offsets, {
    height: 0,
    width: 4,
    bpp: 8,
    flags: 12,
    handle: 16,
    pitch: 20,
    size: 24,
  });
  assert.equal(drm_mode_modeinfo.sizeBytes, 68);
  assert.equal(drm_mode_modeinfo.alignBytes, 4);
  assert.equal(drm_mode_crtc.offsets.mode, 36, "the 4-aligned modeinfo follows the seven __u32");
  assert.equal(drm_mode_crtc.sizeBytes, 104, "36 + 68 = 104, already a multiple of 8");
});

test("fieldValueProblem() holds each integer type to its range, exactly", () => {
  assert.equal(fieldValueProblem(__u32, 0), null);
  assert.equal(fieldValueProblem(__u32, 0xffffffff), null);
  assert.match(fieldValueProblem(__u32, -1) ?? "", /-1 is out of range \(__u32, 0\.\.4294967295\)/);
  assert.match(fieldValueProblem(__u32, 2 ** 32) ?? "", /4294967296 is out of range/);
  assert.equal(fieldValueProblem(__u64, 2n ** 64n - 1n), null);
  assert.match(
    fieldValueProblem(__u64, 2n ** 64n) ?? "",
    /18446744073709551616 is out of range \(__u64, 0\.\.18446744073709551615\)/,
  );
  assert.match(fieldValueProblem(__u64, -1) ?? "", /out of range/);
  assert.match(fieldValueProblem(__u64, 2 ** 60) ?? "", /not exact as a number/);
  assert.equal(fieldValueProblem(__s32, -(2 ** 31)), null);
  assert.match(
    fieldValueProblem(__s32, 2 ** 31) ?? "",
    /out of range \(__s32, -2147483648\.\.2147483647\)/,
  );
  assert.match(fieldValueProblem(__u32, 1.5) ?? "", /expected an integer/);
  assert.match(fieldValueProblem(__u32, "64") ?? "", /expected an integer \(__u32\)/);
  assert.match(fieldValueProblem(chars(4), "abcd") ?? "", /longer than 3 bytes/);
});

test("structToBytes() and structFromBytes() lay fields out little-endian at their offsets", () => {
  const bytes = structToBytes(
    drm_mode_create_dumb,
    { width: 64, height: 0x01020304, size: 2n ** 64n - 2n },
    32,
  );
  assert.equal(bytes.length, 32);
  assert.deepEqual([...bytes.subarray(0, 8)], [4, 3, 2, 1, 64, 0, 0, 0]);
  assert.deepEqual(
    structFromBytes(drm_mode_create_dumb, bytes, ["height", "width", "bpp", "size"]),
    { height: 0x01020304, width: 64, bpp: 0, size: 2n ** 64n - 2n },
  );
  const short = structToBytes(drm_mode_create_dumb, { width: 64, size: 5n }, 8);
  assert.deepEqual(
    structFromBytes(drm_mode_create_dumb, short, ["width", "size"]),
    { width: 64, size: 0n },
    "bytes past a short copy read as zero",
  );
});

test("ioc() builds unsigned numbers even with the read bit set", () => {
  assert.equal(ioc(3, 0x64, 0x00, 64), 0xc0406400);
  assert.ok(ioc(3, 0x64, 0x00, 64) > 0);
  assert.equal(ioc(0, 0x64, 0x1e, 0), 0x641e);
});

test("iocNr(), iocType(), iocSize() and iocDir() take a number apart", () => {
  const cmd = 0xc03864bc; // DRM_IOCTL_MODE_ATOMIC
  assert.equal(iocNr(cmd), 0xbc);
  assert.equal(iocType(cmd), 0x64);
  assert.equal(iocSize(cmd), 56);
  assert.equal(iocDir(cmd), IOC_READ | IOC_WRITE);
});

test("ioctlByName() and ioctlByCmd() find each other's ioctl", () => {
  assert.equal(DRM_IOCTL_NAMES.length, KNOWN_IOCTLS.length);
  for (const name of DRM_IOCTL_NAMES) {
    const def = ioctlByName(name);
    assert.ok(def !== undefined, name);
    assert.equal(iocNr(def.cmd), def.nr, name);
    const first = KNOWN_IOCTLS.find((d) => d.cmd === def.cmd);
    assert.equal(ioctlByCmd(def.cmd), first, `${name}: a shared number gives the first driver's`);
  }
  const shared = KNOWN_IOCTLS.filter((d, i) => KNOWN_IOCTLS.findIndex((e) => e.cmd === d.cmd) !== i);
  assert.deepEqual(
    shared.map((d) => [d.name, ioctlByCmd(d.cmd)?.name]),
    [["DRM_IOCTL_VIRTGPU_MAP", "DRM_IOCTL_VTEST_JOB"]],
    "only driver-private numbers repeat (another driver's), as in Linux",
  );
  assert.equal(
    ioctlByName("DRM_IOCTL_VERSION"),
    DRM_IOCTL_VERSION,
    "the name resolves to the definition itself",
  );
});

test("ioctlByCmd() accepts a number that arrived as a signed 32-bit integer", () => {
  assert.equal(ioctlByCmd(0xc0406400 | 0)?.name, "DRM_IOCTL_VERSION");
  assert.ok((0xc0406400 | 0) < 0);
});

test("ioctlByName() and ioctlByCmd() return undefined for unknown ioctls", () => {
  assert.equal(ioctlByName("DRM_IOCTL_NOPE"), undefined);
  assert.equal(ioctlByCmd(0xdeadbeef), undefined);
});
