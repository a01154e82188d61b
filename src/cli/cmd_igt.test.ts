/**
 * `vdrm igt` with the six `-with-load` subtests of core_hotunplug: listed, runnable by name,
 * on vtest by default (the driver with engines), skipped on a driver without GPU work as IGT
 * skips them, and replayable like the eight.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SUBTESTS } from "../userspace/mod.js";
import { vdrm } from "./_test_cli.js";

const WITH_LOAD = SUBTESTS.filter((s) => s.endsWith("-with-load"));

describe("vdrm igt SUBTEST-with-load", () => {
  it("lists the six in its help", () => {
    assert.equal(WITH_LOAD.length, 6);
    const r = vdrm(["igt", "--help"]);
    assert.equal(r.code, 0, r.stderr);
    const help = r.stdout.replace(/\s+/g, " ");
    for (const name of WITH_LOAD) assert.match(help, new RegExp(`[ ,]${name}(,| |$)`), name);
  });

  it("runs each on vtest by default and passes: exit 0, the result line, nothing found", () => {
    for (const name of WITH_LOAD) {
      const r = vdrm(["igt", name, "--seed", "2"]);
      assert.equal(r.code, 0, `${name}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, `SEED=2\n${name} on vtest: pass; verdict pass\n`);
    }
  });

  it("skips on a driver IGT cannot load, as IGT does, and says why", () => {
    const r = vdrm(["igt", "hotreplug-with-load", "--driver", "vdisp", "--seed", "1"]);
    assert.equal(r.code, 0, r.stderr);
    const line = "hotreplug-with-load on vdisp: skip (No GPU workload support for this driver)";
    assert.equal(r.stdout, `SEED=1\n${line}; verdict pass\n`);
  });

  it("prints replay commands naming vtest, and the token reruns the same run", () => {
    const r = vdrm(["igt", "hotrebind-lateclose-with-load", "--seed", "9", "--print-replay"]);
    assert.equal(r.code, 0, r.stderr);
    const head = "vdrm igt hotrebind-lateclose-with-load --driver vtest";
    const m = new RegExp(`\\nreplay: ${head} --replay (v1\\.[\\w-]+)\\n`).exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.match(r.stdout, new RegExp(`\\nseed: ${head} --seed 9 --profile mainline --kernel `));
    const again = vdrm(["igt", "hotrebind-lateclose-with-load", "--replay", m[1]!, "--print-replay"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, r.stdout);
  });
});
