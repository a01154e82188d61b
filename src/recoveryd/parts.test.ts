/**
 * The daemon's parts at their own boundaries: the configuration's defaults and located
 * errors, the WEDGED list, holders found through fdinfo and maps (dma-bufs included), the
 * trust check of a root daemon, and the metrics listener.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import { runSync } from "../udev/mod.js";
import { parseConfig } from "./config_load.js";
import { fakeMachine, BUS_ID } from "./fake_machine.js";
import { findHolders } from "./holders.js";
import { DirectoryProcfsAccess, DirectorySysfsAccess } from "./host_files.js";
import { parseWedged } from "./methods.js";
import { Metrics, parseListen, serveMetrics } from "./metrics.js";
import { trustProblems } from "./trust.js";

test("an empty configuration is the documented defaults: dry-run safe, localhost, refuse holders", () => {
  const r = parseConfig("", "empty.yaml");
  assert.ok(r.ok);
  assert.equal(r.config.listen, "127.0.0.1:9464");
  assert.equal(r.config.consumers.policy, "refuse");
  assert.equal(r.config.reboot.allowed, false);
  assert.equal(r.config.unknown, "alert");
  assert.deepEqual(r.config.methods.enabled, ["none", "rebind", "bus-reset", "vendor-specific", "cold-reset"]);
});

test("configuration errors name file, line and column; a YAML syntax error too; argv is a list", () => {
  const r = parseConfig("vendor:\n  xe:\n    argv: /bin/sh -c 'recover $DEVPATH'\nlisten: 0.0.0.0\n", "c.yaml");
  assert.ok(!r.ok);
  assert.deepEqual(r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`), [
    "3:11: vendor.xe.argv: Invalid input: expected array, received string",
    '4:9: listen: expected "off", "unix:/path" or "host:port"',
  ]);
  const s = parseConfig("ladder: [\n", "s.yaml");
  assert.ok(!s.ok);
  assert.equal(s.errors[0]!.file, "s.yaml");
  assert.equal(s.errors[0]!.line, 2);
});

test("WEDGED lists: the kernel's order kept, unknown names and empty values are policy", () => {
  assert.deepEqual(parseWedged("rebind,bus-reset"), { methods: ["rebind", "bus-reset"], unknown: false, raw: "rebind,bus-reset" });
  assert.deepEqual(parseWedged("unknown").methods, []);
  assert.equal(parseWedged("unknown").unknown, true);
  assert.equal(parseWedged("").unknown, true);
  assert.deepEqual(parseWedged("rebind,firmware-flash"), { methods: ["rebind"], unknown: true, raw: "rebind,firmware-flash" });
});

test("holders: a DRM fd by drm-pdev, a dma-buf by exp_name and its mapping by inode; others ignored", () => {
  const m = fakeMachine();
  const p = join(m.proc, "777");
  mkdirSync(join(p, "fd"), { recursive: true });
  mkdirSync(join(p, "fdinfo"), { recursive: true });
  writeFileSync(join(p, "comm"), "compositor\n");
  symlinkSync("/dev/dri/card9", join(p, "fd/4"));
  writeFileSync(join(p, "fdinfo/4"), `pos:\t0\ndrm-driver:\txe\ndrm-pdev:\t${BUS_ID}\n`);
  symlinkSync("/dmabuf:", join(p, "fd/7"));
  writeFileSync(join(p, "fdinfo/7"), "size:\t4096\ncount:\t1\nexp_name:\txe\nino:\t9001\n");
  symlinkSync("/dmabuf:", join(p, "fd/8"));
  writeFileSync(join(p, "fdinfo/8"), "size:\t4096\nexp_name:\ti915\nino:\t9002\n");
  writeFileSync(join(p, "maps"), "7f00-7f01 rw-s 00000000 00:0d 9001 /dmabuf:\n7f02-7f03 rw-s 00000000 00:0d 9002 /dmabuf:\n");
  const id = { nodes: ["/dev/dri/card0", "/dev/dri/renderD128"], bdf: BUS_ID, driver: "xe" };
  const holders = runSync(findHolders(new DirectoryProcfsAccess(m.proc), id, { selfPid: 1, ignore: [] }));
  assert.deepEqual(holders, [{ pid: 777, comm: "compositor", what: [`fd 4 /dev/dri/card9 (drm-pdev ${BUS_ID})`, "fd 7 dma-buf of xe", "map dma-buf inode 9001"] }]);
  assert.deepEqual(runSync(findHolders(new DirectoryProcfsAccess(m.proc), id, { selfPid: 1, ignore: ["compositor"] })), []);
});

test("sysfs access: resolve stays inside the root, a write never creates a file or leaves the root", () => {
  const m = fakeMachine();
  symlinkSync(m.canary, join(m.sys, "bus/pci/escape"));
  const sysfs = new DirectorySysfsAccess(m.sys);
  assert.deepEqual(runSync(sysfs.resolve("/class/drm/card0/device")), { k: "inside", path: "/devices/pci0000:00/0000:00:01.0/0000:01:00.0/0000:02:01.0/0000:03:00.0" });
  assert.deepEqual(runSync(sysfs.write("/bus/pci/escape", "1")), { ok: false, error: `refused: ${m.sys}/bus/pci/escape leads outside ${m.sys} (to ${m.canary})` });
  assert.deepEqual(runSync(sysfs.write("/bus/pci/drivers/xe/new_id", "8086 e20b")), { ok: false, error: "ENOENT" });
  assert.deepEqual(runSync(sysfs.write("/../outside/canary", "1")), { ok: false, error: `refused: ${m.sys}/../outside/canary leads outside ${m.sys} (to ${m.canary})` });
});

test("a root daemon does not trust a configuration others may write, nor one owned by someone else", () => {
  const m = fakeMachine();
  const f = join(m.dir, "c.yaml");
  writeFileSync(f, "");
  chmodSync(f, 0o664);
  assert.deepEqual(trustProblems(f, "the configuration", 0, true).map((p) => p.replace(m.dir, "DIR")), ["the configuration DIR/c.yaml may be written by its group (mode 0664)"]);
  assert.deepEqual(trustProblems(f, "the configuration", 1000, true), [], "only checked as root");
  chmodSync(f, 0o644);
  const owner = process.getuid?.() ?? 0;
  assert.deepEqual(trustProblems(f, "the configuration", 0, true), owner === 0 ? [] : [`the configuration ${f} is owned by uid ${owner}, not root`]);
  assert.deepEqual(trustProblems(join(m.dir, "none.yaml"), "the journal", 0, false), []);
});

function get(socketPath: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c)).on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject).end();
  });
}

test("metrics: Prometheus text and status JSON on a Unix socket made 0600; localhost by default", async () => {
  assert.deepEqual(parseListen("127.0.0.1:9464"), { k: "tcp", host: "127.0.0.1", port: 9464 });
  assert.deepEqual(parseListen("[::1]:9464"), { k: "tcp", host: "::1", port: 9464 });
  const m = fakeMachine();
  const metrics = new Metrics();
  metrics.event(["rebind", "bus-reset"]);
  metrics.recovery("rebind", "recovered");
  metrics.deviceState(BUS_ID, "recovered");
  const socket = join(m.dir, "metrics.sock");
  const server = await serveMetrics(metrics, { k: "unix", path: socket }, () => ({ devices: [] }));
  try {
    const r = await get(socket, "/metrics");
    assert.equal(r.status, 200);
    assert.match(r.body, /^vdrm_recoveryd_wedged_events_total\{method="bus-reset"\} 1$/m);
    assert.match(r.body, /^vdrm_recoveryd_recoveries_total\{action="rebind",outcome="recovered"\} 1$/m);
    assert.match(r.body, /^vdrm_recoveryd_device_state\{device="0000:03:00.0",state="recovered"\} 1$/m);
    assert.match(r.body, /^vdrm_recoveryd_device_state\{device="0000:03:00.0",state="wedged"\} 0$/m);
    assert.deepEqual(await get(socket, "/status"), { status: 200, body: '{"devices":[]}\n' });
    assert.equal((await get(socket, "/nothing")).status, 404);
  } finally {
    await new Promise((resolve) => server!.close(resolve));
  }
});
