/**
 * Every model uevent reaches a real program's libudev monitor, in the model's order, through
 * 20 rebinds of a device nobody holds: each gives card0 and renderD128 back, which the
 * testbed must make again with the names umockdev gave them first (its pty of a removed node
 * stays, and umockdev 0.17 refuses to make a node of that name twice).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ueventSeqnum } from "../uapi/mod.js";
import { execScenario } from "./exec_run.js";
import { buildClient, execSkipReason, loadScenario } from "./_test_exec.js";

const skip = execSkipReason();

describe("vdrm exec: uevents through rebinds", { skip: skip ?? false }, () => {
  it("delivers all 180 uevents of 20 rebinds, in order, and the nodes come back each time", async () => {
    const client = buildClient("uevent_bench");
    const sc = loadScenario("fixtures/exec/uevent-bench.yaml");
    const r = await execScenario({ scenario: sc, program: "client", argv: [client, "180"], stdio: "pipe" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.run.verdict, "pass");
    const received = [...r.stdout.matchAll(/^uevent (\d+) \d+$/gm)].map((m) => Number(m[1]));
    const sent = r.run.uevents.map((u) => ueventSeqnum(u.event));
    assert.equal(received.length, 180);
    assert.deepEqual(received, sent.slice(0, 180));
    assert.equal(r.ueventsDelivered, r.run.uevents.length);
  });
});
