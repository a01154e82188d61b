/**
 * The daemon's decisions on a fake machine with a virtual clock: the ladder climbs from
 * rebind to bus-reset when verification fails, gives up and alerts after its attempts, waits
 * out the start-up grace, never loops on a burst; a journal with a step begun and not ended
 * resumes without repeating it; `none` collects telemetry only; unknown follows policy;
 * vendor-specific runs the driver's handler with argv and environment.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runSync } from "../udev/mod.js";
import { configSchema, type Config } from "./config.js";
import { RecoveryDaemon } from "./daemon.js";
import { testHost, type TestHost } from "./_test_host.js";
import { BUS_ID, CARD0, fakeMachine, PCI, wedgedText, type FakeMachine } from "./fake_machine.js";

function cfg(m: FakeMachine, extra: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    sysfs: m.sys, procfs: m.proc, dev: m.dev, methods: { settleSeconds: 1 }, verify: { timeoutSeconds: 0 },
    ladder: { alert: ["/usr/local/bin/page-oncall"] }, ...extra,
  });
}

function run(h: TestHost, config: Config, mode: "apply" | "dry-run" = "apply"): string {
  return runSync(new RecoveryDaemon(h, config, mode).run()).reason;
}

const writes = (h: TestHost): string[] => h.printed.filter((l) => /^(wrote|dry-run: write)/.test(l)).map((l) => l.replace(/ \S*?\/sys\//, " /sys/"));
const msgs = (h: TestHost): string[] => h.logs.map((r) => r.msg);

test("verification fails: rebind, then bus-reset twice after backoffs, then give up and alert once", () => {
  const m = fakeMachine();
  rmSync(join(m.dev, "dri/card0"));
  const h = testHost(m, { events: [{ at: 0, text: wedgedText() }], runFor: 3_600_000 });
  assert.equal(run(h, cfg(m)), "end");
  const unbind = `/sys/bus/pci/drivers/xe/unbind "${BUS_ID}"`;
  const bind = `/sys/bus/pci/drivers/xe/bind "${BUS_ID}"`;
  const reset = `/sys${PCI}/reset "1"`;
  assert.deepEqual(writes(h), [unbind, bind, unbind, reset, bind, unbind, reset, bind].map((w) => `wrote ${w}`));
  const outcomes = msgs(h).filter((x) => / of 0000:03:00.0: /.test(x));
  assert.deepEqual(outcomes, ["rebind of 0000:03:00.0: failed", "bus-reset of 0000:03:00.0: failed", "bus-reset of 0000:03:00.0: failed"]);
  assert.ok(msgs(h).includes("0000:03:00.0: waiting 10000 ms (backoff after attempt 1)"), msgs(h).join("\n"));
  assert.ok(msgs(h).includes("0000:03:00.0: waiting 20000 ms (backoff after attempt 2)"));
  assert.deepEqual(h.runner.runs.filter((r) => r.argv[0] === "/usr/local/bin/page-oncall").map((r) => r.env["REASON"]), ["giving up on 0000:03:00.0: 3 attempts in 3600 s"]);
  assert.match(h.logs.find((r) => r.msg === "rebind of 0000:03:00.0: failed")!["detail"] as string, /^verification: \/dev\/dri\/card0 does not open: ENOENT$/);
});

test("a burst of 50 WEDGED events in a second makes one recovery", () => {
  const m = fakeMachine();
  const events = Array.from({ length: 50 }, (_, i) => ({ at: i * 20, text: wedgedText(CARD0, "rebind,bus-reset", 100 + i) }));
  const h = testHost(m, { events, runFor: 600_000 });
  run(h, cfg(m));
  assert.equal(writes(h).length, 2, writes(h).join("\n"));
  assert.equal(msgs(h).filter((x) => x === "rebind of 0000:03:00.0: recovered").length, 1);
});

test("start-up grace: an event in the grace period is acted on when it ends", () => {
  const m = fakeMachine();
  const h = testHost(m, { events: [{ at: 1000, text: wedgedText() }], runFor: 120_000 });
  const start = h.clock.t;
  run(h, cfg(m, { ladder: { graceSeconds: 60 } }), "dry-run");
  assert.ok(msgs(h).includes("0000:03:00.0: waiting 59000 ms (start-up grace period)"), msgs(h).join("\n"));
  const acted = JSON.parse(h.journal.lines.find((l) => l.includes('"type":"recovery"'))!) as { t: number };
  assert.equal(acted.t - start, 60_000);
  assert.equal(writes(h).length, 2);
});

test("resume: a step begun and not ended is not repeated, the ended ones neither; the rest runs", () => {
  const m = fakeMachine();
  const steps = [
    { k: "write", path: "/bus/pci/drivers/xe/unbind", value: BUS_ID }, { k: "settle", ms: 1000 },
    { k: "write", path: `${PCI}/reset`, value: "1" }, { k: "write", path: "/bus/pci/drivers/xe/bind", value: BUS_ID },
  ];
  const journal = [
    { type: "start", t: 1, pid: 7, mode: "apply" },
    { type: "recovery", t: 2, id: "r1", device: BUS_ID, card: "card0", action: "bus-reset", attempt: 1, mode: "apply", steps, devpath: CARD0, pci: PCI, driver: "xe" },
    { type: "step", t: 3, id: "r1", index: 0, phase: "begin" }, { type: "step", t: 4, id: "r1", index: 0, phase: "end" },
    { type: "step", t: 5, id: "r1", index: 2, phase: "begin" },
  ].map((r) => JSON.stringify(r));
  const h = testHost(m, { events: [], runFor: 0, journal: [...journal, '{"type":"step","t":6,"id":"r1","ind'] });
  run(h, cfg(m));
  assert.deepEqual(writes(h), [`wrote /sys/bus/pci/drivers/xe/bind "${BUS_ID}"`]);
  assert.equal(readFileSync(join(m.sys, PCI, "reset"), "utf8"), "");
  const after = h.journal.lines.slice(journal.length + 1).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(after.filter((r) => r["type"] === "step").map((r) => `${String(r["index"])} ${String(r["phase"])}`), ["0 skipped", "2 skipped", "3 begin", "3 end"]);
  assert.deepEqual(after.filter((r) => r["type"] === "outcome").map((r) => r["outcome"]), ["recovered"]);
  assert.ok(msgs(h).includes("journal line 6 is not a record; ignored"));
  const again = testHost(m, { events: [], runFor: 0, journal: h.journal.lines });
  run(again, cfg(m));
  assert.deepEqual(again.printed, [], "a finished recovery is not resumed");
});

test("a dry-run daemon leaves an interrupted applied recovery alone", () => {
  const m = fakeMachine();
  const rec = { type: "recovery", t: 2, id: "r1", device: BUS_ID, card: "card0", action: "rebind", attempt: 1, mode: "apply", steps: [{ k: "write", path: "/bus/pci/drivers/xe/bind", value: BUS_ID }], devpath: CARD0, pci: PCI, driver: "xe" };
  const h = testHost(m, { events: [], runFor: 0, journal: [JSON.stringify(rec)] });
  run(h, cfg(m), "dry-run");
  assert.deepEqual(h.printed, []);
  assert.ok(msgs(h).includes("an applied recovery was interrupted (r1, rebind of 0000:03:00.0); run with --apply to resume it"));
});

test("WEDGED=none collects telemetry only; unknown alerts by default; vendor-specific runs the driver's handler", () => {
  const m = fakeMachine();
  const h = testHost(m, { events: [
    { at: 0, text: wedgedText(CARD0, "none", 1, ["PID=4242", "TASK=glxgears"]) },
    { at: 10, text: wedgedText(CARD0, "unknown", 2) },
    { at: 20, text: wedgedText(CARD0, "vendor-specific", 3) },
  ], runFor: 1000 });
  const vendor = { xe: { argv: ["/usr/libexec/xe-survivability", "--flash"], env: { FW_DIR: "/lib/firmware/xe" } } };
  run(h, cfg(m, { vendor, verify: { timeoutSeconds: 0 } }));
  assert.deepEqual(writes(h), []);
  assert.ok(msgs(h).includes("none of 0000:03:00.0: telemetry"), msgs(h).join("\n"));
  assert.deepEqual(h.runner.runs.map((r) => r.argv[0]), ["journalctl", "/usr/local/bin/page-oncall", "journalctl", "/usr/libexec/xe-survivability"]);
  const handler = h.runner.runs[3]!;
  assert.deepEqual(handler.argv, ["/usr/libexec/xe-survivability", "--flash"]);
  assert.deepEqual({ ...handler.env, PATH: undefined }, { PATH: undefined, FW_DIR: "/lib/firmware/xe", DEVPATH: CARD0, WEDGED: "vendor-specific", BUS_ID, DRIVER: "xe", CARD: "card0" });
  assert.equal(h.runner.runs[1]!.env["REASON"], "0000:03:00.0 is wedged with an unknown method (unknown)");
});

test("a task that keeps wedging the device is reported to the offenders hook once", () => {
  const m = fakeMachine();
  const events = [1, 2, 3, 4].map((i) => ({ at: i, text: wedgedText(CARD0, "none", i, ["PID=4242", "TASK=glxgears"]) }));
  const h = testHost(m, { events, runFor: 100 });
  run(h, cfg(m, { offenders: { threshold: 3, hook: ["/usr/local/bin/ban"] } }));
  const bans = h.runner.runs.filter((r) => r.argv[0] === "/usr/local/bin/ban");
  assert.deepEqual(bans.map((r) => [r.env["TASK"], r.env["PID"], r.env["COUNT"]]), [["glxgears", "4242", "3"]]);
});

test("cold-reset: unbind, remove, slot power off and on, rescan; no slot: impossible", () => {
  const m = fakeMachine();
  const h = testHost(m, { events: [{ at: 0, text: wedgedText(CARD0, "cold-reset") }], runFor: 10 });
  run(h, cfg(m), "dry-run");
  assert.deepEqual(writes(h), [
    `dry-run: write /sys/bus/pci/drivers/xe/unbind "${BUS_ID}"`, `dry-run: write /sys${PCI}/remove "1"`,
    'dry-run: write /sys/bus/pci/slots/3/power "0"', 'dry-run: write /sys/bus/pci/slots/3/power "1"', 'dry-run: write /sys/bus/pci/rescan "1"',
  ]);
  writeFileSync(join(m.sys, "bus/pci/slots/3/address"), "0000:04:00\n");
  const h2 = testHost(m, { events: [{ at: 0, text: wedgedText(CARD0, "cold-reset") }], runFor: 10 });
  run(h2, cfg(m), "dry-run");
  assert.equal(h2.logs.find((r) => r.msg === "cold-reset of 0000:03:00.0: impossible")?.["detail"], `no hotplug slot in ${m.sys}/bus/pci/slots holds ${BUS_ID}`);
});
