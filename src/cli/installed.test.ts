/**
 * The package as npm installs it: what the tarball holds, and the installed command run from
 * another directory through npm's symlinked bin (the way `npm i -g` and npx start it).
 * .ci/installed-check makes the same check on a fresh build.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import {
  existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { describe, it } from "node:test";
import { ROOT, UNMET } from "./_test_cli.js";

const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
};

function run(cmd: string, args: readonly string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

/** `npm pack` of the built dist/ as it is: no lifecycle scripts, so dist/ is not rebuilt. */
function npm(args: readonly string[], cwd = ROOT) {
  const r = run("npm", [...args, "--ignore-scripts", "--no-audit", "--no-fund"], cwd);
  assert.equal(r.code, 0, `npm ${args.join(" ")}: ${r.stderr}${r.error ?? ""}`);
  return r.stdout;
}

function importsOf(js: string): string[] {
  return [...js.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]!);
}

describe("the package", () => {
  type Packed = { files: { path: string }[] }[];
  const packed = (JSON.parse(npm(["pack", "--dry-run", "--json"])) as Packed)[0]!;
  const files = new Set(packed.files.map((f) => f.path));

  it("holds the command, the built-in scenarios and the recordings, and no test file", () => {
    for (const f of ["dist/cli/main.js", "scenarios/egpu-pull.yaml", "package.json",
      "conformance/r38-ioctl-after-unplug.yaml", "dist/conformance/worker.js",
      "fixtures/realkernel/linux-6.12-bochs-pciehp.jsonl",
      "fixtures/realkernel/linux-6.12-bochs-pciehp-prime.jsonl"]) assert.ok(files.has(f), f);
    const tests = [...files].filter((f) => /\.test\.|\/_test|\/_browser\./.test(f));
    assert.deepEqual(tests, []);
  });

  it("every module it holds imports only modules it holds, node's, or its dependencies", () => {
    const allowed = new Set([...Object.keys(PKG.dependencies), ...builtinModules]);
    const broken: string[] = [];
    for (const f of [...files].filter((p) => p.endsWith(".js"))) {
      for (const spec of importsOf(readFileSync(join(ROOT, f), "utf8"))) {
        const ok = spec.startsWith(".")
          ? files.has(normalize(join(dirname(f), spec)))
          : allowed.has(spec.replace(/^node:/, "").split("/")[0]!);
        if (!ok) broken.push(`${f} imports ${spec}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});

describe("the installed command", () => {
  it("from another directory: --version, demo (exit 0, report there), a failing run (1), " +
    "the conformance cases (0)", () => {
    const work = mkdtempSync(join(tmpdir(), "vdrm-installed-"));
    npm(["pack", "--silent", "--pack-destination", work]);
    const tarball = join(work, `vdrm-${PKG.version}.tgz`);
    const prefix = join(work, "prefix");
    npm(["install", "--global", "--prefix", prefix, tarball, "--prefer-offline", "--silent"]);
    const bin = join(prefix, "bin", "vdrm");
    assert.ok(lstatSync(bin).isSymbolicLink(), "npm links the bin");
    const cwd = join(work, "elsewhere");
    mkdirSync(cwd);

    const version = run(bin, ["--version"], cwd);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `${PKG.version}\n`);

    const demo = run(bin, ["demo"], cwd);
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /\nhotunplug-lateclose-devm +vdisp-devm +caught /);
    const report = join(cwd, "out", "vdrm-report.html");
    assert.ok(existsSync(report), "the report is in the caller's directory");

    writeFileSync(join(cwd, "failing.yaml"), UNMET);
    const failing = run(bin, ["run", "failing.yaml"], cwd);
    assert.equal(failing.code, 1, failing.stdout + failing.stderr);
    assert.match(failing.stdout, /\nreplay: vdrm run failing\.yaml --replay v1\.[\w-]+\nseed: vdrm run failing\.yaml --seed 1 /);

    // The cases ship with the package and run in worker threads from there.
    const conf = run(bin, ["conformance", "--only", "R38", "--seeds", "1", "--workers", "2"], cwd);
    assert.equal(conf.code, 0, conf.stdout + conf.stderr);
    assert.match(conf.stdout, /^R38 +r38-ioctl-after-unplug +bochs-drm +mainline +6\.8-7\.1 +pass \(1 seed\)$/m);
  });
});
