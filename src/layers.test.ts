/**
 * The rules of docs/ARCHITECTURE.md hold for every file in src/: a lower layer that imports a
 * higher one fails here, with the file, the import and the rule; so does a file of the model
 * that tests a kernel profile or version instead of asking variant().
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { checkImports, parseLayerTable, type SourceImports } from "./_layers.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const ARCHITECTURE = readFileSync(join(ROOT, "docs/ARCHITECTURE.md"), "utf8");

/** Every specifier a file imports or re-exports, type-only and dynamic imports included. */
function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? tsFiles(join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [join(dir, e.name)]
        : [],
  );
}

/** Every .ts file of src/ (tests included), by its path from the repository root. */
const SOURCES = tsFiles(join(ROOT, "src")).map((f) => ({
  file: relative(ROOT, f).split(sep).join("/"),
  text: readFileSync(f, "utf8"),
}));

function sourceImports(): SourceImports[] {
  return SOURCES.map(({ file, text }) => ({ file, specifiers: importSpecifiers(text) }));
}

test("every import in src/ follows the layer table of docs/ARCHITECTURE.md", () => {
  const files = sourceImports();
  assert.ok(files.length > 150, `found ${files.length} files`);
  assert.ok(
    files.some((f) => f.file === "src/drm/file.ts" && f.specifiers.includes("../base/mod.js")),
    "imports were read",
  );
  assert.deepEqual(checkImports(parseLayerTable(ARCHITECTURE), files), []);
});

test("checkImports() reports a forbidden import with the file, the import and the rule", () => {
  const rules = parseLayerTable(ARCHITECTURE);
  const fake: SourceImports[] = [
    { file: "src/kernel/fake.ts", specifiers: ["./sim.js", "node:fs", "../drm/mod.js"] },
    { file: "src/drm/fake.ts", specifiers: ["../kernel/mod.js", "../world/mod.js"] },
    { file: "src/userspace/fake.test.ts", specifiers: ["../uapi/mod.js", "../base/mod.js"] },
    { file: "src/newlayer/x.ts", specifiers: [] },
  ];
  assert.deepEqual(checkImports(rules, fake), [
    'src/kernel/fake.ts imports "../drm/mod.js" (src/drm), but src/kernel may import nothing of ours (docs/ARCHITECTURE.md, layer "simulation kernel")',
    'src/drm/fake.ts imports "../world/mod.js" (src/world), but src/drm may import only kernel, uapi, base (docs/ARCHITECTURE.md, layer "DRM core")',
    'src/userspace/fake.test.ts imports "../base/mod.js" (src/base), but src/userspace may import only uapi (docs/ARCHITECTURE.md, layer "userspace")',
    "src/newlayer/x.ts is in no layer of docs/ARCHITECTURE.md: add its folder to the table",
  ]);
});

test("importSpecifiers() sees type-only, re-exported and dynamic imports, and not comments", () => {
  const text = [
    'import type { World } from "../world/mod.js";',
    'export { step } from "../kernel/mod.js";',
    'const cli = await import("../cli/main.js");',
    '// import "../report/mod.js";',
    "const s = \"import x from '../bench/main.js'\";",
  ].join("\n");
  assert.deepEqual(importSpecifiers(text), [
    "../world/mod.js",
    "../kernel/mod.js",
    "../cli/main.js",
  ]);
  const problems = checkImports(parseLayerTable(ARCHITECTURE), [
    { file: "src/base/fake.ts", specifiers: importSpecifiers(text) },
  ]);
  assert.equal(problems.length, 2, problems.join("\n"));
});

test("parseLayerTable() reads every folder of src/ with its imports, and refuses a table with a cycle", () => {
  const rules = parseLayerTable(ARCHITECTURE);
  const folders = readdirSync(join(ROOT, "src"), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  assert.deepEqual(
    rules
      .flatMap((r) => r.folders)
      .filter((f) => f !== ".")
      .sort(),
    folders.sort(),
  );
  const kernel = rules.find((r) => r.folders.includes("kernel"))!;
  assert.deepEqual([...kernel.mayImport], []);
  assert.deepEqual([...rules.find((r) => r.folders.includes("userspace"))!.mayImport], ["uapi"]);

  const cyclic =
    "## Layers\n\n| layer | folder | may import | what |\n|---|---|---|---|\n| a | `src/a` | `b` | |\n| b | `src/b` | `a` | |\n";
  assert.throws(
    () => parseLayerTable(cyclic),
    /Cannot read layer rules: the layers import each other in a cycle: a -> b -> a/,
  );
  const unknown =
    "## Layers\n\n| layer | folder | may import | what |\n|---|---|---|---|\n| a | `src/a` | `zz` | |\n";
  assert.throws(() => parseLayerTable(unknown), /layer "a" may import "zz", which no row names/);
});

/** Source text without comments, so that prose may name a profile. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

/** The lines of a file that test a profile or a version instead of asking variant(). */
function profileTests(file: string, text: string): string[] {
  const forbidden = /"uapi-doc"|profile\.name\b|profile\.version\b|compareVersions\(/;
  return code(text)
    .split("\n")
    .flatMap((l, i) => (forbidden.test(l) ? [`${file}:${i + 1}: ${l.trim()}`] : []));
}

test("no file of the model tests a profile name or a kernel version itself (it asks variant())", () => {
  const fake =
    '// uapi-doc in a comment is fine\nif (kernel.profile.name === "uapi-doc") return "ENXIO";\n';
  assert.deepEqual(profileTests("src/drm/fake.ts", fake), [
    'src/drm/fake.ts:2: if (kernel.profile.name === "uapi-doc") return "ENXIO";',
  ]);
  const model = /^src\/(kernel|uapi|base|pci|drm|drivers|userspace|world)\//;
  const allowed = new Set(["src/base/profile.ts", "src/base/variants.ts"]);
  const offenders = SOURCES.filter(({ file }) => model.test(file) && !allowed.has(file))
    .filter(({ file }) => !file.endsWith(".test.ts"))
    .flatMap(({ file, text }) => profileTests(file, text));
  assert.ok(SOURCES.some(({ file }) => file === "src/drm/minor_table.ts"));
  assert.deepEqual(
    offenders,
    [],
    "add a switch to src/base/variants.ts and call variant() instead",
  );
});
