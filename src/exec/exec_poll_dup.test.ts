/**
 * poll() and dup() of a DRM fd by a real program under `vdrm exec` (vdrm's shim), and libdrm's
 * `modetest -c` listing the model's connectors through the bridge. What is asserted is what
 * the programs printed, and the calls the model's lane made for them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { execScenario } from "./exec_run.js";
import { laneCalls } from "./lane_text.js";
import { buildClient, execSkipReason, factLines, loadScenario } from "./_test_exec.js";

const skip = execSkipReason();

describe("vdrm exec: poll and dup of a DRM fd, modetest", { skip: skip ?? false }, () => {
  it("dups reach the same model file; poll says POLLIN when the flip event is queued", async () => {
    const client = buildClient("poll_dup_client");
    const sc = loadScenario("scenarios/exec-poll-dup-client.yaml");
    const r = await execScenario({ scenario: sc, program: "client", argv: [client], stdio: "pipe" });
    assert.equal(r.stderr, "");
    assert.deepEqual(factLines(r.stdout), [
      "open ok",
      "create_dumb 0 handle=1",
      "dup ok",
      "dupfd_cloexec ok cloexec=1",
      "fstat_copy 226:0",
      // the handle made through the original is the copies' too: one drm_file
      "map_dumb_copy 0",
      "map_dumb_high 0",
      "close_original 0",
      "version_copy vdisp",
      "poll_idle 0 revents=0x0",
      "poll_timeout 0 revents=0x0",
      "mode 1024x768",
      "create_dumb 0",
      "addfb2 0",
      "setcrtc 0",
      "page_flip 0",
      // the poll sleeps until the flip completes at the next vblank, then POLLIN
      "poll_flip 1 revents=0x1",
      "poll_high 1 revents=0x1",
      "event type=2 user_data=0x1234",
      "poll_read 0 revents=0x0",
      "removed yes",
      // DRM's poll has no unplug check: nothing queued, nothing ready
      "poll_unplugged 0 revents=0x0",
      "close_copy 0",
      "close_high 0",
    ]);
    assert.equal(r.status, 0);
    assert.equal(r.run.verdict, "pass");
    const calls = laneCalls(r.run, "client").map((c) => `${c.op}(${c.args}) = ${c.errno ?? c.ret}`);
    assert.deepEqual(calls.filter((c) => c.startsWith("dup")), ["dup(3) = 4", "dup_cloexec(3) = 5"]);
    // the event is read through the F_DUPFD_CLOEXEC copy, which the lane reads as fd 5
    assert.ok(calls.includes("read(5, 256) = 32"), calls.join("\n"));
    assert.ok(calls.includes("poll(4, 0x1, 0) = revents=0x1"), calls.join("\n"));
    // every fd closed: the original, then both copies
    assert.deepEqual(calls.filter((c) => c.startsWith("close")), ["close(3) = 0", "close(4) = 0", "close(5) = 0"]);
  });

  it("lets libdrm's modetest -c list the model's connector, its mode and properties", async () => {
    const sc = loadScenario("scenarios/exec-unplug-client.yaml");
    const argv: [string, ...string[]] = ["modetest", "-M", "vdisp", "-c"];
    const r = await execScenario({ scenario: sc, program: "client", argv, stdio: "pipe" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Connectors:\nid\tencoder\tstatus\t\tname\t\tsize \(mm\)\tmodes\tencoders\n/);
    assert.match(r.stdout, /^32\t0\tconnected\tVirtual-1\s+\t0x0\t\t1\t35\n/m);
    assert.match(r.stdout, /#0 1024x768 60\.00 1024 1048 1184 1344 768 771 777 806 65000 flags: nhsync, nvsync; type: preferred, driver/);
    assert.match(r.stdout, /\t2 DPMS:\n\t\tflags: enum\n\t\tenums: On=0 Standby=1 Suspend=2 Off=3\n\t\tvalue: 3\n/);
    assert.match(r.stdout, /\t5 link-status:\n\t\tflags: enum\n\t\tenums: Good=0 Bad=1\n/);
  });
});
