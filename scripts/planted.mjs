// @ts-check
/**
 * `node scripts/planted.mjs`: the fourteen planted bugs of issue 7, each a small change of the
 * compiled DRM core that the tests once let through, applied one at a time to a copy of dist/;
 * for each it runs the DRM core's, the world's and the scenario runner's tests and prints the
 * tests that fail (the ones that catch it), or SURVIVED. docs/quality.md lists the result.
 * Exit code 1 if a planted bug survives, 2 if a change no longer applies (the code moved: update
 * the list below).
 *
 * The copy lives in reports/planted/ (dist/ copied, the data the tests read linked), so the
 * build in dist/ stays as it is. Run `npm run build` first.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { SUITES, suiteFiles } from "./test_suites.mjs";

/**
 * Each planted bug: the compiled file, the text it changes, what replaces it, and for one that
 * no test can catch because nothing a caller sees changes, why (docs/quality.md).
 */
const PLANTED = [
  ["SET_MASTER is never EBUSY", "drm/auth.js", `if (dev.master !== null)\n        return fail("EBUSY");`, `if (false)\n        return fail("EBUSY");`],
  ["AUTH_MAGIC authenticates nobody", "drm/auth.js", "target.authenticated = true;", ""],
  ["DROP_MASTER of a non-master succeeds", "drm/auth.js", `if (!drmIsCurrentMaster(file))\n        return fail("EINVAL");`, `if (false)\n        return fail("EINVAL");`],
  ["SET_MASTER/DROP_MASTER skip the permission check", "drm/auth.js", `return file.wasMaster ? null : "EACCES";`, "return null;"],
  ["client cap ATOMIC accepts 3", "drm/caps.js", "if (v > 2n)", "if (v > 3n)"],
  ["client cap STEREO_3D accepts 2", "drm/caps.js", "if (v > 1n)\n                return fail(\"EINVAL\");\n            file.stereoAllowed", "if (v > 2n)\n                return fail(\"EINVAL\");\n            file.stereoAllowed"],
  ["atomic flag mask without its complement", "drm/atomic_uapi.js", "(flags & ~DRM_MODE_ATOMIC_FLAGS) !== 0", "(flags & DRM_MODE_ATOMIC_FLAGS) !== 0"],
  ["CREATE_DUMB accepts width 0", "drm/dumb_buffers.js", "width === 0 || height === 0", "height === 0",
    "equivalent: a zero width makes a zero stride and size, which the page-aligned size check refuses with the same EINVAL"],
  ["DRM_ROOT_ONLY not checked", "drm/ioctl.js", `if ((flags & DRM_ROOT_ONLY) !== 0)`, `if (false)`],
  ["DRM_MASTER not checked", "drm/ioctl.js", "(flags & DRM_MASTER) !== 0 && !drmIsCurrentMaster(file)", "false"],
  ["render nodes not refused without DRM_RENDER_ALLOW", "drm/ioctl.js", "(flags & DRM_RENDER_ALLOW) === 0 && file.isRenderClient", "false"],
  ["mmap of a buffer without a handle allowed (no EACCES)", "drm/gem.js", `if (!obj.allowed.has(file))\n            return fail("EACCES");`, ""],
  ["GEM offset search skips an exactly fitting gap", "drm/gem.js", "if (start + pages <= s)", "if (start + pages < s)"],
  ["GET_MAGIC does not look for the lowest free magic", "drm/auth.js", "while (master.magicMap.has(magic))\n            magic++;", ""],
];

const DIR = "reports/planted";
/**
 * The test files that judge a planted bug: those mutate.mjs runs against drm's mutants (the DRM
 * core's, the world's, the scenario runs).
 */
function testFiles() {
  return SUITES.drm.flatMap((suite) => suiteFiles(suite).map((f) => `dist/${suite}/${f}`));
}

function setUp() {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  cpSync("dist", `${DIR}/dist`, { recursive: true });
  for (const name of ["node_modules", "scenarios", "fixtures", "docs", "package.json"]) {
    if (existsSync(name)) symlinkSync(resolve(name), `${DIR}/${name}`);
  }
}

/** The names of the failing tests in TAP output (innermost first, as TAP prints them). */
function failures(/** @type {string} */ tap) {
  const names = [];
  for (const m of tap.matchAll(/^(\s*)not ok \d+ - (.*)$/gm)) {
    const name = m[2] ?? "";
    if (!name.startsWith("dist/") && !names.includes(name)) names.push(name);
  }
  return names;
}

function main() {
  if (!existsSync("dist/drm/auth.js")) {
    console.error("planted: dist/ is not built; run `npm run build` first");
    return 2;
  }
  setUp();
  const files = testFiles();
  let survived = 0;
  let equivalents = 0;
  for (const [name, file, from, to, equivalent] of PLANTED) {
    const path = `${DIR}/dist/${file}`;
    const pristine = readFileSync(path, "utf8");
    const at = pristine.indexOf(from);
    if (at < 0 || pristine.indexOf(from, at + 1) >= 0) {
      console.error(`planted: "${name}": the text to change is not in dist/${file} exactly once`);
      return 2;
    }
    writeFileSync(path, pristine.slice(0, at) + to + pristine.slice(at + from.length));
    const run = spawnSync(process.execPath, ["--test", "--import", "./dist/_test_setup.js", "--test-reporter=tap", ...files], { cwd: DIR, encoding: "utf8", maxBuffer: 1 << 28 });
    writeFileSync(path, pristine);
    const failed = failures(run.stdout);
    const verdict = failed.length > 0 ? "killed  " : equivalent === undefined ? "SURVIVED" : "equivalent";
    if (verdict === "SURVIVED") survived++;
    if (verdict === "equivalent") equivalents++;
    console.log(`${verdict} ${name} (${file})`);
    if (failed.length === 0 && equivalent !== undefined) console.log(`           ${equivalent}`);
    for (const t of failed.slice(0, 3)) console.log(`           by: ${t}`);
  }
  console.log(`\n${PLANTED.length - survived - equivalents} of ${PLANTED.length} planted bugs caught, ${equivalents} equivalent, ${survived} survived`);
  return survived === 0 ? 0 : 1;
}

process.exitCode = main();
