import { test } from "node:test";
import assert from "node:assert/strict";
import { formatTable, perSecond, sampleRuns, summarize, verdictOf, type Row } from "./measure.js";

test("summarize() takes the middle sample of an odd count and the mean of the two middle ones of an even count", () => {
  assert.deepEqual(summarize([5, 1, 3]), { median: 3, min: 1, max: 5, runs: 3 });
  assert.deepEqual(summarize([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, runs: 4 });
});

test("sampleRuns() discards the warm-up calls", () => {
  let calls = 0;
  const s = sampleRuns(3, () => ++calls, 2);
  assert.equal(calls, 5);
  assert.deepEqual(s, { median: 4, min: 3, max: 5, runs: 3 });
});

test("perSecond() turns the slowest run into the lowest rate", () => {
  assert.deepEqual(perSecond({ median: 2, min: 1, max: 4, runs: 3 }), { median: 5e8, min: 2.5e8, max: 1e9, runs: 3 });
});

test("verdictOf() judges the median against a minimum or a maximum target", () => {
  const row = (median: number, target: Row["target"]): Row => ({ name: "x", summary: { median, min: 0, max: 2 * median, runs: 1 }, unit: "u", target });
  assert.equal(verdictOf(row(10, { kind: "min", value: 10 })), "PASS");
  assert.equal(verdictOf(row(9, { kind: "min", value: 10 })), "MISS");
  assert.equal(verdictOf(row(12, { kind: "max", value: 12 })), "PASS");
  assert.equal(verdictOf(row(13, { kind: "max", value: 12 })), "MISS");
  assert.equal(verdictOf(row(13, null)), "-");
  const counts = (min: number, max: number): Row => ({ name: "n", summary: { median: min, min, max, runs: 2 }, unit: "states", target: { kind: "eq", value: 7 } });
  assert.equal(verdictOf(counts(7, 7)), "PASS");
  assert.equal(verdictOf(counts(7, 8)), "MISS", "every run must give the count");
  assert.equal(verdictOf(counts(6, 6)), "MISS");
});

test("formatTable() prints a header, a rule and one aligned line per row", () => {
  const rows: Row[] = [
    { name: "a", summary: { median: 1500, min: 1000, max: 2000, runs: 3 }, unit: "ns", target: { kind: "max", value: 2000 } },
    { name: "longer name", summary: { median: 1.5, min: 1, max: 2, runs: 3 }, unit: "x", target: null },
    { name: "count", summary: { median: 2500, min: 2500, max: 2500, runs: 1 }, unit: "n", target: { kind: "eq", value: 2500 } },
  ];
  const lines = formatTable(rows).split("\n");
  assert.equal(lines.length, 5);
  assert.match(lines[0] ?? "", /^benchmark\s+median\s+min\s+max\s+runs\s+unit\s+target\s+verdict$/);
  assert.match(lines[2] ?? "", /^a\s+1,500\s+1,000\s+2,000\s+3\s+ns\s+<= 2,000\s+PASS$/);
  assert.match(lines[3] ?? "", /^longer name\s+1\.500\s+1\.000\s+2\.000\s+3\s+x\s+-\s+-$/);
  assert.match(lines[4] ?? "", /^count\s+2,500\s+2,500\s+2,500\s+1\s+n\s+= 2,500\s+PASS$/);
  assert.equal(lines[2]?.indexOf("1,500"), lines[0]!.indexOf("median") + "median".length - "1,500".length);
});
