/**
 * `vdrm realkernel` aligns the recording with the model's replay as a diff: a recording with
 * one line removed, one line added or one value changed shows exactly one difference of that
 * kind, with its neighbours as context, and exits 1; the recording as it is matches (exit 0).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { PRIME_RECORDING_PATH, RECORDING_PATH } from "../realkernel/mod.js";
import { scratchDir, scratchFile, vdrm } from "./_test_cli.js";

const tmp = scratchDir();
const LINES = readFileSync(RECORDING_PATH, "utf8").split("\n");
const SUMMARY = (match: number, mismatch: number, missing: number, extra: number): string =>
  `${match} match, ${mismatch} mismatch, ${missing} missing, ${extra} extra, 4 not modelled`;

/** The index of the recording's line with sequence number `n`. */
function lineOf(n: number): number {
  const i = LINES.findIndex((l) => l.includes(`"n":${n},`));
  assert.ok(i >= 0, `no line n=${n}`);
  return i;
}

/** Writes the recording with `edit` applied and runs the comparison on it. */
function compareEdited(name: string, edit: (lines: string[]) => void) {
  const lines = [...LINES];
  edit(lines);
  const r = vdrm(["realkernel", "--fixture", scratchFile(tmp, name, lines.join("\n"))]);
  const out = r.stdout.trimEnd().split("\n");
  return { ...r, out, differences: out.filter((l) => l.startsWith("! ")) };
}

/** The lines of the one hunk in `out` that is not a not-modelled offset. */
function hunkWith(out: readonly string[], marker: string): string[] {
  const at = out.indexOf(marker);
  assert.ok(at >= 0, `no "${marker}" in\n${out.join("\n")}`);
  let start = at;
  while (!out[start]!.startsWith("@@")) start--;
  let end = at + 1;
  while (end < out.length - 1 && !out[end]!.startsWith("@@")) end++;
  return out.slice(start, end);
}

const NOT_MODELLED = "! not modelled: fbdev emulation is not modelled: its buffer takes the first " +
  "fake mmap offsets";

describe("vdrm realkernel: the recording and the model, aligned", () => {
  it("the two recordings as they are: every observation matches but the offsets not modelled " +
    "(four, and five with group g); exit 0", () => {
    const r = vdrm(["realkernel"]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.trimEnd().split("\n");
    assert.deepEqual(out.filter((l) => l.startsWith("== ") || / match, /.test(l)), [
      "== linux-6.12-bochs-pciehp.jsonl ==",
      SUMMARY(191, 0, 0, 0),
      "== linux-6.12-bochs-pciehp-prime.jsonl ==",
      "309 match, 0 mismatch, 0 missing, 0 extra, 5 not modelled",
    ]);
    assert.deepEqual(out.filter((l) => l.startsWith("! ")), Array(9).fill(NOT_MODELLED));
  });

  it("--fixture given once compares with that recording alone, without a header", () => {
    const r = vdrm(["realkernel", "--fixture", PRIME_RECORDING_PATH]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.trimEnd().split("\n");
    assert.equal(out.at(-1), "309 match, 0 mismatch, 0 missing, 0 extra, 5 not modelled");
    assert.ok(!out.some((l) => l.startsWith("== ")));
  });

  it("a line removed from group g of the PRIME recording is one extra observation", () => {
    // n=436: the dma-buf's fdinfo after the card fd is closed (count 2)
    const prime = readFileSync(PRIME_RECORDING_PATH, "utf8").split("\n");
    const at = prime.findIndex((l) => l.includes('"n":436,'));
    prime.splice(at, 1);
    const file = scratchFile(tmp, "prime-removed.jsonl", prime.join("\n"));
    const r = vdrm(["realkernel", "--fixture", file]);
    assert.equal(r.code, 1, r.stderr);
    const out = r.stdout.trimEnd().split("\n");
    assert.equal(out.at(-1), "308 match, 0 mismatch, 0 missing, 1 extra, 5 not modelled");
    const extra = out.indexOf("! extra: the model did this, Linux did not");
    assert.equal(out[extra + 1], "+ model: call fdinfo dma-buf fd -> ok " +
      "{pos=0,flags=02000002,size=16384,count=2,exp_name=drm,name=rk-prime}");
  });

  it("a line removed from the recording is one extra observation, not a cascade", () => {
    // n=78: the stale file's GETRESOURCES after the unbind
    const r = compareEdited("removed.jsonl", (l) => l.splice(lineOf(78), 1));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.out.at(-1), SUMMARY(190, 0, 0, 1));
    assert.deepEqual(r.differences.filter((l) => l !== NOT_MODELLED),
      ["! extra: the model did this, Linux did not"]);
    assert.deepEqual(hunkWith(r.out, "! extra: the model did this, Linux did not"), [
      "@@ b_unbind @@",
      "  call ioctl DRM_IOCTL_VERSION -> -1 ENODEV",
      "  call ioctl DRM_IOCTL_GET_CAP -> -1 ENODEV {cap=DUMB_BUFFER}",
      "! extra: the model did this, Linux did not",
      "+ model: call ioctl DRM_IOCTL_MODE_GETRESOURCES -> -1 ENODEV",
      "  call ioctl DRM_IOCTL_MODE_CREATE_DUMB -> -1 ENODEV",
      "  call ioctl DRM_IOCTL_MODE_MAP_DUMB -> -1 ENODEV",
    ]);
    assert.match(r.stdout, /^replay: vdrm realkernel --fixture \S+removed\.jsonl \(seed 1, FIFO/m);
  });

  it("a line added to the recording is one missing observation", () => {
    const close = '{"n":999,"scn":"b_unbind","type":"call","op":"ioctl",' +
      '"what":"DRM_IOCTL_GEM_CLOSE","ret":-1,"errno":"ENODEV"}';
    const r = compareEdited("added.jsonl", (l) => l.splice(lineOf(80), 0, close));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.out.at(-1), SUMMARY(191, 0, 1, 0));
    const missing = "! missing: Linux did this, the model did not";
    assert.deepEqual(r.differences.filter((l) => l !== NOT_MODELLED), [missing]);
    assert.deepEqual(hunkWith(r.out, missing).slice(2, 5), [
      "  call ioctl DRM_IOCTL_MODE_CREATE_DUMB -> -1 ENODEV",
      missing,
      "- real:  call ioctl DRM_IOCTL_GEM_CLOSE -> -1 ENODEV",
    ]);
  });

  it("a value changed in the recording is one mismatch with both sides", () => {
    // n=74: the card0 minor's remove uevent on unbind
    const r = compareEdited("changed.jsonl", (l) => {
      l[lineOf(74)] = l[lineOf(74)]!.replace("DEVNAME=dri/card0", "DEVNAME=dri/card7");
    });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.out.at(-1), SUMMARY(190, 1, 0, 0));
    assert.deepEqual(r.differences.filter((l) => l !== NOT_MODELLED), ["! mismatch"]);
    const hunk = hunkWith(r.out, "! mismatch");
    const at = hunk.indexOf("! mismatch");
    assert.match(hunk[at + 1]!, /^- real: {2}uevent remove@\S+\/drm\/card0\|.*DEVNAME=dri\/card7\|/);
    assert.match(hunk[at + 2]!, /^\+ model: uevent remove@\S+\/drm\/card0\|.*DEVNAME=dri\/card0\|/);
    assert.match(hunk[at - 1]!, /^ {2}uevent remove@\S+\/card0-Virtual-1\|/);
  });

  it("the three edits at once are three differences, one of each kind", () => {
    const r = compareEdited("three.jsonl", (l) => {
      l[lineOf(83)] = l[lineOf(83)]!.replace('"errno":"ENODEV"', '"errno":"EIO"');
      l.splice(lineOf(78), 1);
      l.splice(lineOf(76), 0, l[lineOf(76)]!.replace('"n":76,', '"n":1076,'));
    });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.out.at(-1), SUMMARY(189, 1, 1, 1));
    assert.match(r.stdout, /^! mismatch\n- real: {2}call mmap new mmap of old map offset -> -1 EIO$/m);
  });
});
