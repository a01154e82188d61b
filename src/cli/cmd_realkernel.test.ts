/**
 * `vdrm realkernel --fixture`: a recording that is missing or not a recording is bad input
 * (exit 2) with the file (and line) named, never a stack trace.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import { assertRefused, scratchDir, scratchFile, vdrm } from "./_test_cli.js";

const tmp = scratchDir();

function bad(fixture: string, first: string | RegExp): void {
  assertRefused(vdrm(["realkernel", "--fixture", fixture]), first);
}

describe("vdrm realkernel --fixture", () => {
  it("a missing file or a directory", () => {
    const missing = join(tmp, "missing.jsonl");
    bad(missing, `vdrm: --fixture ${JSON.stringify(missing)}: no such file or directory (ENOENT)`);
    bad(tmp, `vdrm: --fixture ${JSON.stringify(tmp)}: illegal operation on a directory (EISDIR)`);
  });

  it("a line that is not JSON, or not a JSON object, is named by file and line", () => {
    const text = scratchFile(tmp, "text.jsonl", '{"type":"start","kernel":"6.12"}\nnot json\n');
    const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    bad(text, new RegExp(`^vdrm: Cannot read ${escaped}:2: \\S`));
    const nul = scratchFile(tmp, "null.jsonl", "null\n");
    bad(nul, `vdrm: Cannot read ${nul}:1: ` +
      `expected a JSON object with a "type", as the recorder writes`);
  });

  it("a line without a field the recorder writes, or with another type, is named by file and " +
    "line (it printed \"undefined\" or ended in a TypeError)", () => {
    // Found by `VDRM_FUZZ_SEED=20240611 npm run fuzz`: a call line whose "what" key was edited.
    const start = '{"type":"start","kernel":"6.12"}\n';
    const cases: [string, string][] = [
      ['{"type":"call","op":"mknod","ret":0}', 'a "call" line needs "what" as text'],
      ['{"type":"call","op":"open","what":"card0","ret":"0"}', 'a "call" line needs "ret" as a number'],
      ['{"type":"kmsg","scn":7,"msg":"x"}', 'a "kmsg" line needs "scn" as text'],
      ['{"type":"minors","why":"x","sysfs":5}',
        'a "minors" line needs "sysfs" as a list of objects with "name", "dev", "device"'],
      ['{"type":"ls","path":"/dev/dri","entries":[null]}',
        'a "ls" line needs "entries" as a list of objects with "name", "dev"'],
      ['{"type":"mem","what":"map","op":"poke","result":"ok"}', 'a "mem" line needs "op" as read or write'],
    ];
    for (const [n, [line, why]] of cases.entries()) {
      const f = scratchFile(tmp, `field${n}.jsonl`, `${start}${line}\n`);
      bad(f, `vdrm: Cannot read ${f}:2: ${why}, as the recorder writes`);
    }
  });

  it("JSON lines without a start line are not a recording", () => {
    const f = scratchFile(tmp, "other.jsonl", '{"type":"call","op":"open"}\n');
    bad(f, `vdrm: Cannot read ${f}: no "start" line; not a real-kernel recording`);
  });
});

describe("vdrm realkernel --driver", () => {
  it("a driver not in the replay table is bad input, with the choices", () => {
    const r = vdrm(["realkernel", "--driver", "vtest"]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.err1, "error: option '--driver <name>' argument 'vtest' is invalid. " +
      'unknown replay driver "vtest"; expected one of bochs-drm, vdisp, virtio-gpu, vdisp-devm');
    assert.equal(r.stdout, "");
  });

  it("vdisp: its notes first; no recorded observation is missing, extras are its render node", () => {
    const r = vdrm(["realkernel", "--driver", "vdisp"]);
    assert.equal(r.code, 1, r.stderr);
    const out = r.stdout.trimEnd().split("\n");
    assert.match(out[0]!, /^driver vdisp \(the recording is of bochs-drm\): a display driver /);
    assert.match(out.at(-1)!, /^\d+ match, [1-9]\d* mismatch, 0 missing, [1-9]\d* extra, /);
    const extras = out.flatMap((l, i) => (l.startsWith("! extra") ? [out[i + 1]!] : []));
    assert.ok(extras.length > 0);
    for (const e of extras) assert.match(e, /^\+ model: uevent (add|remove)@\S+\/drm\/renderD12\d\|/);
    assert.match(r.stdout, /^- real: {2}call ioctl DRM_IOCTL_VERSION -> 0 \{name=bochs-drm,.*\n/m);
    assert.match(r.stdout, /^\+ model: call ioctl DRM_IOCTL_VERSION -> 0 \{name=vdisp,.*\n/m);
    assert.match(r.stdout, /^replay: vdrm realkernel --driver vdisp \(seed 1, FIFO schedule\)$/m);
  });

  it("virtio-gpu: after the unbind its shmem mapping still reads the pattern where bochs' dummy page read zeros (R52)", () => {
    const r = vdrm(["realkernel", "--driver", "virtio-gpu"]);
    assert.equal(r.code, 1, r.stderr);
    const out = r.stdout.trimEnd().split("\n");
    assert.match(out[0]!, /^driver virtio-gpu \(the recording is of bochs-drm\): the model of virtio-gpu /);
    assert.match(out.at(-1)!, /^\d+ match, [1-9]\d* mismatch, 0 missing, [1-9]\d* extra, /);
    const zeros = "- real:  mem read old map -> ok first=0x00000000 match=0 zero=4096 ff=0";
    const pattern = /^\+ model: mem read old map -> ok first=0x\w+ match=4096 zero=0 ff=0$/;
    const at = out.indexOf(zeros);
    assert.ok(at > 0, "the recording's mapping read zeros after the unbind");
    assert.match(out[at + 1]!, pattern);
    assert.match(r.stdout, /^\+ model: kmsg \[drm\] Initialized virtio_gpu 0\.1\.0 for 0000:01:00\.0 on minor 0$/m);
    assert.match(r.stdout, /^\+ model: .*DRIVER=virtio-pci\|PCI_CLASS=38000\|PCI_ID=1AF4:1050\|/m);
    assert.doesNotMatch(r.stdout, /^finding /m);
  });

  it("vdisp-devm: the use-after-free of its broken drm_device is a memory finding, exit 3", () => {
    const r = vdrm(["realkernel", "--driver", "vdisp-devm"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^finding memory: BUG: KASAN: use-after-free read of vdisp_devm_device /m);
  });
});

describe("vdrm realkernel --json", () => {
  it("one JSON object per recording: the verdict, the counts and the differences", () => {
    const r = vdrm(["realkernel", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    type Report = { fixture: string; verdict: string; driver: string; kernel: string;
      summary: Record<string, number>; results: { verdict: string }[]; findings: unknown[] };
    const reports = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Report);
    assert.deepEqual(reports.map((o) => basename(o.fixture)),
      ["linux-6.12-bochs-pciehp.jsonl", "linux-6.12-bochs-pciehp-prime.jsonl"]);
    for (const [o, match, offsets] of [[reports[0]!, 191, 4], [reports[1]!, 309, 5]] as const) {
      assert.equal(o.verdict, "pass");
      assert.equal(o.driver, "bochs-drm");
      assert.match(o.kernel, /^6\.12\./);
      assert.deepEqual(o.summary,
        { match, mismatch: 0, missing: 0, extra: 0, "not-modelled": offsets });
      assert.deepEqual(o.results.map((x) => x.verdict), Array(offsets).fill("not-modelled"));
      assert.deepEqual(o.findings, []);
    }
  });
});
