/**
 * `vdrm explore --shard I/N --out FILE`, `--merge` and `--workers N` as a user runs them: the
 * merged shards report what the search without a split reports (same findings, counts, first
 * counterexample and exit code); bad shards and result files are refused with exit 2 and a
 * message naming the file and the place; the Kubernetes Indexed Job in contrib/ runs the
 * shards of one search.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { assertRefused, ROOT, scratchDir, vdrmArgs as vdrm } from "./_test_cli.js";

const DEVM = "scenarios/explore/unplug-ioctl-devm.yaml";
const VDISP = "scenarios/explore/unplug-ioctl-vdisp.yaml";
const SEARCH = ["--preemptions-max", "1", "--no-dpor", "--all", "--split-depth", "4"];

interface Report {
  stats: { executions: number; transitions: number; faultPoints: number; maxDepth: number };
  findings: { verdict: string; kinds: string[]; execution: number }[];
}

describe("vdrm explore --shard, --merge, --workers", () => {
  const dir = scratchDir();
  const shards = [0, 1].map((i) => {
    const out = join(dir, `devm-${i}.json`);
    return { out, r: vdrm("explore", DEVM, ...SEARCH, "--shard", `${i}/2`, "--out", out) };
  });

  it("each shard exits with its finding's code and writes its result file", () => {
    for (const { r, out } of shards) {
      assert.ok([0, 3].includes(r.code ?? -1), r.stderr);
      assert.match(r.stderr, /^result file: /m);
      assert.equal(JSON.parse(readFileSync(out, "utf8")).format, "vdrm-explore-shard");
    }
    assert.ok(shards.some(({ r }) => r.code === 3), "one shard found the use-after-free");
  });

  it("merged, they report what the search without a split reports, and exit 3", () => {
    const merged = vdrm("explore", "--merge", ...shards.map((s) => s.out), "--json");
    assert.equal(merged.code, 3, merged.stderr);
    const whole = vdrm("explore", DEVM, "--preemptions-max", "1", "--no-dpor", "--all", "--json");
    assert.equal(whole.code, 3, whole.stderr);
    const m = JSON.parse(merged.stdout) as Report & { counterexample: { verdict: string; replayToken: string } };
    const w = JSON.parse(whole.stdout) as Report & { counterexample: { replayToken: string } };
    for (const k of ["executions", "transitions", "faultPoints", "maxDepth"] as const) assert.equal(m.stats[k], w.stats[k], k);
    assert.ok(m.findings.some((f) => f.kinds.includes("use-after-free")));
    assert.equal(m.counterexample.verdict, "memory");
    assert.equal(m.counterexample.replayToken, w.counterexample.replayToken, "the same first counterexample");
    const text = vdrm("explore", "--merge", ...shards.map((s) => s.out));
    assert.match(text.stdout, /^merge of 2 shards: unplug-ioctl-devm/m);
    assert.match(text.stdout, /^statistics: \d+ executions, \d+ transitions, .* transitions\/s, max depth \d+ choice points, fault points reached \d+/m);
    assert.match(text.stdout, /^replay: vdrm replay v1\./m);
  });

  it("--workers 2 reports what --workers 1 reports", () => {
    const run = (n: string): Report => {
      const r = vdrm("explore", VDISP, "--preemptions-max", "1", "--split-depth", "4", "--workers", n, "--json");
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as Report;
    };
    const one = run("1");
    const two = run("2");
    assert.deepEqual({ ...two.stats, elapsedMs: 0 }, { ...one.stats, elapsedMs: 0 });
  });

  it("refuses bad shards, and result files that are not one search's, with exit 2", () => {
    assertRefused(vdrm("explore", DEVM, "--shard", "2/2"), /--shard 2\/2: the index I must be below N/);
    assertRefused(vdrm("explore", DEVM, "--shard", "0/0"), /--shard 0\/0: the shard count N must be at least 1/);
    assertRefused(vdrm("explore", DEVM, "--shard", "one"), /--shard must be I\/N/);
    assertRefused(vdrm("explore", DEVM, "--mode", "bfs", "--workers", "2"), /not bfs/);
    const [a, b] = shards.map((s) => s.out) as [string, string];
    const garbage = join(dir, "garbage.json");
    writeFileSync(garbage, "{\n  \"format\": \"vdrm-explore-shard\",\n  oops\n}\n");
    assertRefused(vdrm("explore", "--merge", a, garbage), /--merge: .*garbage\.json: 3:\d+: not a JSON result file/);
    const edited = join(dir, "edited.json");
    const doc = JSON.parse(readFileSync(b, "utf8")) as { units: { executions: unknown }[]; search: { preemptionsMax: number } };
    doc.units[0]!.executions = "many";
    writeFileSync(edited, JSON.stringify(doc));
    assertRefused(vdrm("explore", "--merge", a, edited), /edited\.json: units\[0\]\.executions: .*number/);
    doc.units[0]!.executions = 1;
    doc.search.preemptionsMax = 2;
    writeFileSync(edited, JSON.stringify(doc));
    assertRefused(vdrm("explore", "--merge", a, edited), /edited\.json: search\.preemptionsMax: differs from .*devm-0\.json \(2 against 1\)/);
    assertRefused(vdrm("explore", "--merge", a), /shard 1\/2 missing/);
    assertRefused(vdrm("explore", "--merge", a, a), /shard 0\/2 is also/);
    const other = join(dir, "vdisp-1.json");
    assert.equal(vdrm("explore", VDISP, ...SEARCH, "--shard", "1/2", "--out", other).code, 0);
    assertRefused(vdrm("explore", "--merge", a, other), /vdisp-1\.json: scenario: differs/);
    assertRefused(vdrm("explore", "--merge", a, join(dir, "none.json")), /cannot read: .*ENOENT/);
    assertRefused(vdrm("explore", "--merge", a, b, "--mode", "pct"), /--mode does not go with --merge/);
  });

  it("the Kubernetes Indexed Job runs every shard of one search (contrib/explore/explore-job.yaml)", () => {
    const job = parse(readFileSync(join(ROOT, "contrib/explore/explore-job.yaml"), "utf8")) as {
      apiVersion: string; kind: string;
      spec: { completionMode: string; completions: number; parallelism: number;
        template: { spec: { restartPolicy: string; containers: { command: string[]; args: string[] }[] } } };
    };
    assert.equal(job.apiVersion, "batch/v1");
    assert.equal(job.kind, "Job");
    assert.equal(job.spec.completionMode, "Indexed");
    const n = job.spec.completions;
    assert.ok(n > 1);
    assert.equal(job.spec.parallelism, n);
    assert.equal(job.spec.template.spec.restartPolicy, "Never");
    const line = [...job.spec.template.spec.containers[0]!.command, ...job.spec.template.spec.containers[0]!.args].join(" ");
    assert.match(line, new RegExp(`explore \\S+\\.yaml .*--shard "\\$JOB_COMPLETION_INDEX/${n}"`));
    assert.match(line, /--out "\/results\/shard-\$JOB_COMPLETION_INDEX\.json"/);
  });
});
