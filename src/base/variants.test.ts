import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { compareVersions, KERNEL_VERSIONS, PROFILE_NAMES, type KernelProfile } from "./profile.js";
import { formatByVersion, variant, VARIANT_NAMES, VARIANTS, variantsMarkdown } from "./variants.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const mainline = (version: KernelProfile["version"]): KernelProfile => ({
  name: "mainline",
  version,
});
const doc = (version: KernelProfile["version"]): KernelProfile => ({ name: "uapi-doc", version });

test("variant() gives each switch its value for the profile and version", () => {
  assert.equal(variant(mainline("7.1"), "openGoneErrno"), "ENODEV");
  assert.equal(variant(doc("7.1"), "openGoneErrno"), "ENXIO");
  assert.equal(variant(mainline("6.8"), "minorAllocation"), "lowest-free");
  assert.equal(variant(doc("6.8"), "minorAllocation"), "cyclic");
  assert.deepEqual(
    KERNEL_VERSIONS.map((v) => variant(mainline(v), "minorExtendedRange")),
    KERNEL_VERSIONS.map((v) => compareVersions(v, "6.12") >= 0),
  );
  assert.equal(variant(doc("7.1"), "minorExtendedRange"), false);
});

test("every switch names spec ids and a summary, and covers every profile and version in order", () => {
  assert.ok(VARIANT_NAMES.length >= 3);
  for (const name of VARIANT_NAMES) {
    const def = VARIANTS[name];
    assert.ok(
      def.ids.length > 0 && def.ids.every((id) => /^[RD]\d+$/.test(id)),
      `${name}: ids ${def.ids.join(",")}`,
    );
    assert.ok(def.summary.length > 10, `${name}: summary`);
    for (const p of PROFILE_NAMES) {
      const values = def.values[p];
      if (!Array.isArray(values)) continue;
      const since = (values as readonly (readonly [string, unknown])[]).map(([v]) => v);
      assert.equal(since[0], KERNEL_VERSIONS[0], `${name} ${p}: starts at the oldest version`);
      for (let i = 1; i < since.length; i++)
        assert.ok(compareVersions(since[i]!, since[i - 1]!) > 0, `${name} ${p}: versions ascend`);
    }
  }
});

test("formatByVersion() names the last version of each range and the first of the next", () => {
  assert.equal(formatByVersion("ENODEV"), "ENODEV");
  assert.equal(
    formatByVersion([
      ["6.8", false],
      ["6.12", true],
    ]),
    "false up to 6.11, true from 6.12",
  );
  assert.equal(
    formatByVersion([
      ["6.8", "a"],
      ["6.14", "b"],
      ["7.0", "c"],
    ]),
    "a up to 6.12, b from 6.14, c from 7.0",
  );
});

test("the kernel-variants table in docs/ARCHITECTURE.md is what variantsMarkdown() prints", () => {
  const text = readFileSync(join(ROOT, "docs/ARCHITECTURE.md"), "utf8");
  const m = /<!-- variants:begin[^\n]*-->\n([\s\S]*?)<!-- variants:end -->/.exec(text);
  assert.ok(m, "docs/ARCHITECTURE.md has the variants:begin/end markers");
  assert.equal(
    m[1]!.trimEnd(),
    variantsMarkdown(),
    "run `vdrm variants --markdown` and paste it between the markers",
  );
});
