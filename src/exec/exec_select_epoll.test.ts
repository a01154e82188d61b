/**
 * select(), epoll and ppoll()'s signal mask on a DRM fd of a real program under `vdrm exec`
 * (vdrm's shim: native/shim/select.c, epoll.c, poll.c). What is asserted is what the program
 * printed, and the calls the model's lane made for it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { execScenario } from "./exec_run.js";
import { laneCalls } from "./lane_text.js";
import { buildClient, execSkipReason, factLines, loadScenario } from "./_test_exec.js";

const skip = execSkipReason();

const title = "vdrm exec: select, epoll and ppoll's signal mask on a DRM fd";

describe(title, { skip: skip ?? false }, () => {
  it("reports the flip events as the model's file is ready; ppoll installs its mask", async () => {
    const client = buildClient("select_epoll_client");
    const sc = loadScenario("scenarios/exec-select-epoll-client.yaml");
    const argv: [string] = [client];
    const r = await execScenario({ scenario: sc, program: "client", argv, stdio: "pipe" });
    assert.equal(r.stderr, "");
    assert.deepEqual(factLines(r.stdout), [
      "open ok",
      // SIGUSR1 pending: kept blocked by the mask, the ppoll times out; let through, EINTR
      "ppoll_blocked 0 - handled=0",
      "ppoll_unblocked -1 EINTR handled=1",
      "epoll_add 0",
      "epoll_add_again EEXIST",
      "epoll_add_pipe 0",
      "epoll_idle 0",
      "epoll_pipe 1 events=0x1 data=0x99",
      "mode 1024x768",
      "create_dumb 0",
      "addfb2 0",
      "setcrtc 0",
      "page_flip 0",
      // the wait sleeps until the flip is done, then the card with the caller's data
      "epoll_flip 1 events=0x1 data=0xc0ffee",
      // level-triggered: reported again while the event is unread
      "epoll_level 1 events=0x1 data=0xc0ffee",
      "select_ready 1 isset=1",
      "event type=2 user_data=0x1234",
      "epoll_read 0",
      "select_idle 0 isset=0",
      "page_flip 0",
      "select_flip 1 isset=1",
      "event type=2 user_data=0x5678",
      "epoll_mod_et 0",
      "page_flip 0",
      // edge-triggered: once per wake-up
      "epoll_et 1 events=0x1 data=0xc0ffee",
      "epoll_et_again 0",
      "event type=2 user_data=0x9abc",
      "epoll_del 0",
      "epoll_del_again ENOENT",
      "close 0",
    ]);
    assert.equal(r.status, 0);
    assert.equal(r.run.verdict, "pass");
    const calls = laneCalls(r.run, "client").map((c) => `${c.op}(${c.args}) = ${c.errno ?? c.ret}`);
    // every wait is a question to the model's file: its poll, without waiting
    assert.ok(calls.includes("poll(3, 0x1, 0) = revents=0x1"), calls.join("\n"));
    assert.ok(calls.includes("poll(3, 0x1, 0) = revents=0x0"), calls.join("\n"));
    assert.deepEqual(calls.filter((c) => c.startsWith("read")), [
      "read(3, 256) = 32", "read(3, 256) = 32", "read(3, 256) = 32",
    ]);
  });
});
