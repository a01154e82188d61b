/**
 * The ioctl gate and dispatch: the unplug checkpoints (R38, R39), the type and number checks,
 * the core and driver tables, the permission checks, the copy of the argument in and out, the
 * handler's frame, and the one record each call leaves in the trace. The userspace view of the
 * gate across a whole unplug is in src/world/ioctl_after_unplug.test.ts.
 *
 * @see drm_ioctl(), drm_ioctl_kernel(), drm_ioctl_permit() in drivers/gpu/drm/drm_ioctl.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatCall, type CallRecord } from "../kernel/mod.js";
import {
  __u32,
  __u64,
  cstruct,
  DRM_CAP,
  DRM_COMMAND_BASE,
  DRM_IOCTL_BASE,
  DRM_IOCTL_DROP_MASTER,
  DRM_IOCTL_GET_CAP,
  DRM_IOCTL_MODE_CREATE_DUMB,
  DRM_IOCTL_MODE_GETRESOURCES,
  DRM_IOCTL_VERSION,
  DRM_IOCTL_VTEST_HOLD_ENTER,
  ioc,
  ioctlDef,
  ok,
} from "../uapi/mod.js";
import { answer, drmMachine, lastCall, TEST_DRIVER } from "./_testing.js";
import { drmDevPut, drmDevUnplug } from "./device.js";
import type { DrmFile } from "./file.js";
import { drmIoctlKernel, drmIoctlPermit } from "./ioctl.js";
import { CORE_IOCTL_LIST } from "./ioctl_core.js";
import {
  DRM_AUTH,
  DRM_MASTER,
  DRM_RENDER_ALLOW,
  DRM_ROOT_ONLY,
  drmDriverIoctlTable,
  drmIoctlDef,
  syncHandler,
  type AnyDrmIoctlDesc,
} from "./ioctl_desc.js";

/** A table entry that counts its calls and keeps the argument it got. */
function probeEntry(flags: number) {
  const seen: unknown[] = [];
  const desc: AnyDrmIoctlDesc = drmIoctlDef(
    DRM_IOCTL_DROP_MASTER,
    "drm_test_ioctl",
    flags,
    syncHandler((_file, arg) => {
      seen.push(arg);
      return ok({});
    }),
  );
  return { desc, seen };
}

describe("drm_ioctl_kernel()", () => {
  test("on an unplugged device it fails with ENODEV before the permission check (R39)", () => {
    const m = drmMachine();
    const dev = m.registered();
    const [master, other] = [m.open("/dev/dri/card0"), m.open("/dev/dri/card0")].map((fd) =>
      m.file(fd),
    );
    const { desc, seen } = probeEntry(DRM_MASTER);
    const call = (file: DrmFile): string => answer(m.run(() => drmIoctlKernel(file, desc, {})));
    assert.deepEqual([call(master!), call(other!)], ["ok", "EACCES"]);
    m.run(() => drmDevUnplug(dev));
    assert.deepEqual([call(master!), call(other!)], ["ENODEV", "ENODEV"]);
    assert.equal(seen.length, 1);
    assert.equal(m.finishClean(dev), 0);
  });

  test("drm_ioctl_permit(): ROOT_ONLY for nobody, AUTH for authenticated or render clients, MASTER for the master, render nodes only with RENDER_ALLOW", () => {
    const m = drmMachine();
    const dev = m.registered();
    const master = m.file(m.open("/dev/dri/card0"));
    const client = m.file(m.open("/dev/dri/card0"));
    const render = m.file(m.open("/dev/dri/renderD128"));
    const rows = [
      0,
      DRM_ROOT_ONLY,
      DRM_AUTH,
      DRM_MASTER,
      DRM_RENDER_ALLOW,
      DRM_AUTH | DRM_RENDER_ALLOW,
      DRM_MASTER | DRM_RENDER_ALLOW,
    ].map((flags) =>
      [master, client, render].map((f) => drmIoctlPermit(flags, f!) ?? "ok").join(" "),
    );
    assert.deepEqual(rows, [
      "ok ok EACCES", // 0
      "EACCES EACCES EACCES", // DRM_ROOT_ONLY: the model's processes are not CAP_SYS_ADMIN
      "ok EACCES EACCES", // DRM_AUTH: the render node fails on RENDER_ALLOW, not on AUTH
      "ok EACCES EACCES", // DRM_MASTER
      "ok ok ok", // DRM_RENDER_ALLOW
      "ok EACCES ok", // AUTH | RENDER_ALLOW: a render client counts as authenticated
      "ok EACCES EACCES", // MASTER | RENDER_ALLOW
    ]);
    client!.authenticated = true;
    assert.equal(drmIoctlPermit(DRM_AUTH, client!), null);
    assert.equal(m.finishClean(dev), 0);
  });

  test("the handler gets a zero-filled struct with the caller's inputs in it", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/card0");
    const seen: unknown[] = [];
    const entry = drmIoctlDef(
      DRM_IOCTL_MODE_CREATE_DUMB,
      "drm_test_ioctl",
      0,
      syncHandler((_f, arg) => {
        seen.push(arg);
        return ok({ handle: 7, pitch: 0, size: 0n });
      }),
    );
    const r = m.run(() =>
      drmIoctlKernel(m.file(fd), entry, { height: 0, width: 5, bpp: 0, flags: 0 }),
    );
    assert.deepEqual(r, { ok: true, value: { handle: 7, pitch: 0, size: 0n } });
    assert.deepEqual(seen, [{ height: 0, width: 5, bpp: 0, flags: 0 }]);
    assert.equal(m.finishClean(dev), 0);
  });

  test("a handler's declared footprint joins the drm_ioctl_kernel step", () => {
    const m = drmMachine();
    const dev = m.registered();
    const file = m.file(m.open("/dev/dri/card0"));
    const other = m.file(m.open("/dev/dri/card0"));
    const base = probeEntry(0).desc;
    const entry: AnyDrmIoctlDesc = { ...base, footprint: () => ({ reads: [], writes: [other] }) };
    const from = m.sim.trace.events.length;
    assert.equal(answer(m.run(() => drmIoctlKernel(file, entry, {}))), "ok");
    const stepEv = m.sim.trace.events
      .slice(from)
      .find((e) => e.t === "step" && e.fn === "drm_ioctl_kernel");
    assert.ok(stepEv?.t === "step");
    assert.deepEqual(stepEv.reads, [dev.mem.id]);
    assert.deepEqual(stepEv.writes, [file.mem.id, dev.unplugSrcu.mem.id, other.mem.id]);
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("drm_ioctl()", () => {
  test("a foreign type is ENOTTY; a core number without entry, or past the table, is EINVAL", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/card0");
    const bare = (cmd: number): string => answer(m.run(() => m.proc.ioctl(fd, cmd)));
    assert.equal(bare(ioc(0, 0x78, 0x00, 0)), "ENOTTY");
    assert.equal(bare(ioc(3, DRM_IOCTL_BASE, 0x03, 16)), "EINVAL", "IRQ_BUSID: a legacy hole");
    assert.equal(bare(ioc(0, DRM_IOCTL_BASE, 0xff, 0)), "EINVAL");
    m.run(() => drmDevUnplug(dev));
    assert.equal(
      bare(ioc(0, 0x78, 0x00, 0)),
      "ENODEV",
      "the unplug checkpoint comes before the type check (R38)",
    );
    assert.equal(m.finishClean(dev), 0);
  });

  test("under uapi-doc, where KMS ioctls pass the unplug checkpoint, a foreign type with a KMS number is still ENODEV (R38, D3)", () => {
    const m = drmMachine({ name: "uapi-doc", version: "7.1" });
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    m.run(() => drmDevUnplug(dev));
    const bare = (cmd: number): string => answer(m.run(() => m.proc.ioctl(fd, cmd)));
    const nr = DRM_IOCTL_MODE_GETRESOURCES.cmd & 0xff;
    assert.equal(bare(ioc(3, 0x78, nr, 64)), "ENODEV");
    assert.equal(answer(m.ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, {})), "ok", "the KMS ioctl itself is faked");
    assert.equal(m.finishClean(dev), 0);
  });

  test("a u64 field given as a plain number goes through the copy of each field: the others stay zero", () => {
    const m = drmMachine();
    const dev = m.registered();
    const fd = m.open("/dev/dri/card0");
    const r = m.ioctl(fd, DRM_IOCTL_VERSION, { name_len: 16 as unknown as bigint });
    assert.ok(r.ok, answer(r));
    assert.equal(r.value.name, "drmtest");
    assert.equal(r.value.date_len, 1n, "the date's length, with none copied");
    assert.equal(r.value.date, "");
    assert.equal(m.finishClean(dev), 0);
  });

  test("driver numbers go to the driver's own table: EINVAL past its end or at a hole, the handler in its frame otherwise", () => {
    const m = drmMachine();
    const frames: string[][] = [];
    const hold = drmIoctlDef(
      DRM_IOCTL_VTEST_HOLD_ENTER,
      "vtest_hold_enter_ioctl",
      DRM_RENDER_ALLOW,
      syncHandler(() => {
        frames.push([...(m.sim.current?.frames ?? [])]);
        return ok({});
      }),
    );
    const third = ioctlDef(
      "DRM_IOCTL_TEST_THIRD",
      "IOW",
      DRM_COMMAND_BASE + 2,
      cstruct("drm_test_third", { x: __u32 }),
      { x: "in" },
    );
    const withTable = {
      ...TEST_DRIVER,
      name: "drmtestpriv",
      ioctls: drmDriverIoctlTable([
        hold,
        drmIoctlDef(
          third,
          "drm_test_third_ioctl",
          0,
          syncHandler(() => ok({})),
        ),
      ]),
    };
    const plain = m.registered();
    const dev = m.registered(withTable);
    const onPlain = m.open("/dev/dri/renderD128");
    const onDev = m.open("/dev/dri/renderD129");
    assert.equal(
      answer(m.ioctl(onPlain, DRM_IOCTL_VTEST_HOLD_ENTER, { duration_ns: 0n })),
      "EINVAL",
      "a driver with no table",
    );
    assert.equal(answer(m.ioctl(onDev, DRM_IOCTL_VTEST_HOLD_ENTER, { duration_ns: 0n })), "ok");
    assert.deepEqual(frames, [["sys_ioctl", "vtest_hold_enter_ioctl"]]);
    assert.equal(
      answer(m.run(() => m.proc.ioctl(onDev, ioc(1, DRM_IOCTL_BASE, DRM_COMMAND_BASE + 1, 4)))),
      "EINVAL",
      "a hole in the driver's table",
    );
    assert.equal(
      answer(m.run(() => m.proc.ioctl(onDev, ioc(1, DRM_IOCTL_BASE, DRM_COMMAND_BASE + 3, 4)))),
      "EINVAL",
      "past the table's end",
    );
    assert.equal(
      answer(m.ioctl(onDev, third, { x: 1 })),
      "EACCES",
      "the entry's own flags: no RENDER_ALLOW",
    );
    m.run(() => m.proc.exit());
    m.run(() => drmDevPut(plain));
    assert.equal(m.finishClean(dev), 0);
  });

  test("a request of another struct with the entry's number is copied through the bytes; a bare number gets a zero-filled struct back", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    // The same number as GET_CAP (IOWR, 16 bytes, 0x0c), another struct with other names.
    const alias = ioctlDef(
      "DRM_IOCTL_TEST_CAP_ALIAS",
      "IOWR",
      0x0c,
      cstruct("drm_test_cap_alias", { cap: __u64, got: __u64 }),
      { cap: "in", got: "out" },
    );
    assert.equal(alias.cmd, DRM_IOCTL_GET_CAP.cmd);
    assert.deepEqual(m.ioctl(fd, alias, { cap: DRM_CAP.DRM_CAP_CURSOR_WIDTH }), {
      ok: true,
      value: { got: 64n },
    });
    // The same number and struct with one direction bit: only that way is copied.
    const [readOnly, writeOnly] = (["IOR", "IOW"] as const).map((dir) =>
      ioctlDef(`DRM_IOCTL_TEST_CAP_${dir}`, dir, 0x0c, alias.struct, { cap: "in", got: "out" }),
    );
    assert.equal(
      answer(m.ioctl(fd, readOnly!, { cap: DRM_CAP.DRM_CAP_CURSOR_WIDTH })),
      "EINVAL",
      "IOR: nothing copied in, so capability 0",
    );
    assert.deepEqual(
      m.ioctl(fd, writeOnly!, { cap: DRM_CAP.DRM_CAP_CURSOR_WIDTH }),
      { ok: true, value: { got: 0n } },
      "IOW: the answer is not copied out",
    );
    assert.deepEqual(
      m.run(() => m.proc.ioctl(fd, DRM_IOCTL_VERSION.cmd)),
      { ok: true, value: {} },
      "no struct known: nothing comes back",
    );
    assert.equal(
      answer(m.run(() => m.proc.ioctl(fd, DRM_IOCTL_GET_CAP.cmd))),
      "EINVAL",
      "a zero-filled struct asks for capability 0",
    );
    assert.deepEqual(
      m.ioctl(fd, DRM_IOCTL_GET_CAP, { capability: 8 as never }),
      { ok: true, value: { value: 64n } },
      "a u64 input given as a plain number is converted before the handler sees it",
    );
    // _IOWR(0x0c) with 8 bytes: only `capability` is copied in.
    assert.equal(answer(m.run(() => m.proc.ioctl(fd, ioc(3, DRM_IOCTL_BASE, 0x0c, 8)))), "EINVAL");
    assert.equal(m.finishClean(dev), 0);
  });

  test("every core entry names the C function Linux's drm_ioctls[] names", () => {
    assert.deepEqual(Object.fromEntries(CORE_IOCTL_LIST.map((e) => [e.def.name, e.fn])), {
      DRM_IOCTL_VERSION: "drm_version",
      DRM_IOCTL_GET_UNIQUE: "drm_getunique",
      DRM_IOCTL_GET_MAGIC: "drm_getmagic",
      DRM_IOCTL_GET_CLIENT: "drm_getclient",
      DRM_IOCTL_SET_VERSION: "drm_setversion",
      DRM_IOCTL_GEM_CLOSE: "drm_gem_close_ioctl",
      DRM_IOCTL_GET_CAP: "drm_getcap",
      DRM_IOCTL_SET_CLIENT_CAP: "drm_setclientcap",
      DRM_IOCTL_AUTH_MAGIC: "drm_authmagic",
      DRM_IOCTL_SET_MASTER: "drm_setmaster_ioctl",
      DRM_IOCTL_DROP_MASTER: "drm_dropmaster_ioctl",
      DRM_IOCTL_PRIME_HANDLE_TO_FD: "drm_prime_handle_to_fd_ioctl",
      DRM_IOCTL_PRIME_FD_TO_HANDLE: "drm_prime_fd_to_handle_ioctl",
      DRM_IOCTL_MODE_GETRESOURCES: "drm_mode_getresources",
      DRM_IOCTL_MODE_GETCRTC: "drm_mode_getcrtc",
      DRM_IOCTL_MODE_SETCRTC: "drm_mode_setcrtc",
      DRM_IOCTL_MODE_GETENCODER: "drm_mode_getencoder",
      DRM_IOCTL_MODE_GETCONNECTOR: "drm_mode_getconnector",
      DRM_IOCTL_MODE_GETPROPERTY: "drm_mode_getproperty_ioctl",
      DRM_IOCTL_MODE_GETPROPBLOB: "drm_mode_getblob_ioctl",
      DRM_IOCTL_MODE_ADDFB: "drm_mode_addfb_ioctl",
      DRM_IOCTL_MODE_RMFB: "drm_mode_rmfb_ioctl",
      DRM_IOCTL_MODE_PAGE_FLIP: "drm_mode_page_flip_ioctl",
      DRM_IOCTL_MODE_CREATE_DUMB: "drm_mode_create_dumb_ioctl",
      DRM_IOCTL_MODE_MAP_DUMB: "drm_mode_mmap_dumb_ioctl",
      DRM_IOCTL_MODE_DESTROY_DUMB: "drm_mode_destroy_dumb_ioctl",
      DRM_IOCTL_MODE_GETPLANERESOURCES: "drm_mode_getplane_res",
      DRM_IOCTL_MODE_GETPLANE: "drm_mode_getplane",
      DRM_IOCTL_MODE_ADDFB2: "drm_mode_addfb2_ioctl",
      DRM_IOCTL_MODE_OBJ_GETPROPERTIES: "drm_mode_obj_get_properties_ioctl",
      DRM_IOCTL_MODE_ATOMIC: "drm_mode_atomic_ioctl",
      DRM_IOCTL_MODE_CREATEPROPBLOB: "drm_mode_createblob_ioctl",
      DRM_IOCTL_MODE_DESTROYPROPBLOB: "drm_mode_destroyblob_ioctl",
      DRM_IOCTL_SYNCOBJ_CREATE: "drm_syncobj_create_ioctl",
      DRM_IOCTL_SYNCOBJ_DESTROY: "drm_syncobj_destroy_ioctl",
      DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD: "drm_syncobj_handle_to_fd_ioctl",
      DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE: "drm_syncobj_fd_to_handle_ioctl",
      DRM_IOCTL_SYNCOBJ_WAIT: "drm_syncobj_wait_ioctl",
      DRM_IOCTL_SYNCOBJ_RESET: "drm_syncobj_reset_ioctl",
      DRM_IOCTL_SYNCOBJ_SIGNAL: "drm_syncobj_signal_ioctl",
      DRM_IOCTL_MODE_CREATE_LEASE: "drm_mode_create_lease_ioctl",
      DRM_IOCTL_MODE_LIST_LESSEES: "drm_mode_list_lessees_ioctl",
      DRM_IOCTL_MODE_GET_LEASE: "drm_mode_get_lease_ioctl",
      DRM_IOCTL_MODE_REVOKE_LEASE: "drm_mode_revoke_lease_ioctl",
    });
  });

  test("a call leaves one record in the trace: its inputs as given and its outputs, the very object returned", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/card0");
    const from = m.sim.trace.events.length;
    const arg = { width: 64, height: 64, bpp: 32 };
    const r = m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, arg);
    assert.ok(r.ok);
    const calls = m.sim.trace.events.slice(from).filter((e): e is CallRecord => e.t === "call");
    assert.equal(calls.length, 1);
    const rec = calls[0]!;
    assert.equal(rec.input, arg);
    assert.equal(rec.output, r.value);
    assert.equal(
      formatCall(rec),
      `ioctl(${fd}, DRM_IOCTL_MODE_CREATE_DUMB, {width=64, height=64, bpp=32} => {handle=1, pitch=256, size=16384}) = 0`,
    );
    m.run(() => drmDevUnplug(dev));
    m.ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, arg);
    const last = lastCall(m);
    assert.equal(
      formatCall(last),
      `ioctl(${fd}, DRM_IOCTL_MODE_CREATE_DUMB, {width=64, height=64, bpp=32}) = -1 ENODEV`,
    );
    assert.equal(m.finishClean(dev), 0);
  });
});

describe("core ioctls on a render node", () => {
  test("each entry without DRM_RENDER_ALLOW is EACCES, with a footprint that holds for a file without master", () => {
    const m = drmMachine();
    const dev = m.kms();
    const fd = m.open("/dev/dri/renderD128");
    assert.equal(m.file(fd).master, null);
    const answers = Object.fromEntries(
      CORE_IOCTL_LIST.map((e) => [e.def.name, answer(m.ioctl(fd, e.def))]),
    );
    assert.deepEqual(answers, {
      DRM_IOCTL_VERSION: "ok",
      DRM_IOCTL_GET_UNIQUE: "EACCES",
      DRM_IOCTL_GET_MAGIC: "EACCES",
      DRM_IOCTL_GET_CLIENT: "EACCES",
      DRM_IOCTL_SET_VERSION: "EACCES",
      DRM_IOCTL_GEM_CLOSE: "EINVAL", // allowed; handle 0 names no object
      DRM_IOCTL_GET_CAP: "EINVAL", // allowed; capability 0 is no capability
      DRM_IOCTL_SET_CLIENT_CAP: "EACCES",
      DRM_IOCTL_AUTH_MAGIC: "EACCES",
      DRM_IOCTL_SET_MASTER: "EACCES",
      DRM_IOCTL_DROP_MASTER: "EACCES",
      DRM_IOCTL_PRIME_HANDLE_TO_FD: "ENOENT", // allowed; handle 0 names no object
      DRM_IOCTL_PRIME_FD_TO_HANDLE: "EBADF", // allowed; fd 0 is not open in a model process
      DRM_IOCTL_MODE_GETRESOURCES: "EACCES",
      DRM_IOCTL_MODE_GETCRTC: "EACCES",
      DRM_IOCTL_MODE_SETCRTC: "EACCES",
      DRM_IOCTL_MODE_GETENCODER: "EACCES",
      DRM_IOCTL_MODE_GETCONNECTOR: "EACCES",
      DRM_IOCTL_MODE_GETPROPERTY: "EACCES",
      DRM_IOCTL_MODE_GETPROPBLOB: "EACCES",
      DRM_IOCTL_MODE_ADDFB: "EACCES",
      DRM_IOCTL_MODE_RMFB: "EACCES",
      DRM_IOCTL_MODE_PAGE_FLIP: "EACCES",
      DRM_IOCTL_MODE_CREATE_DUMB: "EACCES",
      DRM_IOCTL_MODE_MAP_DUMB: "EACCES",
      DRM_IOCTL_MODE_DESTROY_DUMB: "EACCES",
      DRM_IOCTL_MODE_GETPLANERESOURCES: "EACCES",
      DRM_IOCTL_MODE_GETPLANE: "EACCES",
      DRM_IOCTL_MODE_ADDFB2: "EACCES",
      DRM_IOCTL_MODE_OBJ_GETPROPERTIES: "EACCES",
      DRM_IOCTL_MODE_ATOMIC: "EACCES",
      DRM_IOCTL_MODE_CREATEPROPBLOB: "EACCES",
      DRM_IOCTL_MODE_DESTROYPROPBLOB: "EACCES",
      // Allowed on render nodes; the test driver has no DRIVER_SYNCOBJ.
      DRM_IOCTL_SYNCOBJ_CREATE: "EOPNOTSUPP",
      DRM_IOCTL_SYNCOBJ_DESTROY: "EOPNOTSUPP",
      DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD: "EOPNOTSUPP",
      DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE: "EOPNOTSUPP",
      DRM_IOCTL_SYNCOBJ_WAIT: "EOPNOTSUPP",
      DRM_IOCTL_SYNCOBJ_RESET: "EOPNOTSUPP",
      DRM_IOCTL_SYNCOBJ_SIGNAL: "EOPNOTSUPP",
      DRM_IOCTL_MODE_CREATE_LEASE: "EACCES",
      DRM_IOCTL_MODE_LIST_LESSEES: "EACCES",
      DRM_IOCTL_MODE_GET_LEASE: "EACCES",
      DRM_IOCTL_MODE_REVOKE_LEASE: "EACCES",
    });
    assert.deepEqual(m.sim.findings, []);
    assert.equal(m.finishClean(dev), 0);
  });
});
