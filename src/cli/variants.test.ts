import assert from "node:assert/strict";
import { test } from "node:test";
import { variantsMarkdown } from "../base/mod.js";
import { vdrmArgs as vdrm } from "./_test_cli.js";

test("vdrm variants lists every kernel switch with its spec ids and its value per profile and version", () => {
  const r = vdrm("variants");
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^switch +spec +mainline +uapi-doc +what it decides$/);
  assert.match(
    r.stdout,
    /\nopenGoneErrno +R35,R37,D1 +ENODEV +ENXIO +errno of open\(\) on a node whose device is gone/,
  );
  assert.match(r.stdout, /\nminorExtendedRange +R30 +false up to 6\.11, true from 6\.12 +false +/);
  const markdown = vdrm("variants", "--markdown");
  assert.equal(markdown.code, 0);
  assert.equal(markdown.stdout, `${variantsMarkdown()}\n`);
});
