/**
 * The start-up check of `vdrm exec`: what is missing is named with its Debian package and the
 * apt-get line, and the command exits 2 saying so, before anything runs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { vdrm } from "../cli/_test_cli.js";
import { setupMessage } from "./setup.js";

describe("vdrm exec's start-up check", () => {
  it("names each missing package with what it gives, and the line that installs them", () => {
    const text = setupMessage([
      { what: "umockdev's preload library", pkg: "libumockdev0" },
      { what: "umockdev's GObject bindings for Python (the testbed helper)", pkg: "gir1.2-umockdev-1.0 python3-gi" },
    ]);
    assert.equal(text, [
      "missing Debian packages:",
      "  libumockdev0: umockdev's preload library",
      "  gir1.2-umockdev-1.0 python3-gi: umockdev's GObject bindings for Python (the testbed helper)",
      "Install them with: apt-get install libumockdev0 gir1.2-umockdev-1.0 python3-gi",
    ].join("\n"));
  });

  it("refuses a program the scenario does not have, with exit 2 and its programs", () => {
    const r = vdrm(["exec", "scenarios/exec-unplug-client.yaml", "--program", "nobody", "--", "true"]);
    assert.equal(r.code, 2);
    assert.equal(r.err1, 'vdrm exec: scenarios/exec-unplug-client.yaml has no program "nobody" (its programs: client, admin)');
  });

  it("refuses a call without the real program, with exit 2", () => {
    const r = vdrm(["exec", "scenarios/exec-unplug-client.yaml", "--program", "client"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required argument 'cmd'/);
  });
});
