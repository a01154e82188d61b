/**
 * The start-up check of `vdrm exec`: what is missing is named with its Debian package and the
 * apt-get line that installs it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
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
});
