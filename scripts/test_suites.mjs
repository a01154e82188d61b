// @ts-check
/**
 * The test files that judge a change of the compiled model, for the mutation testing
 * (scripts/mutate.mjs) and the planted bugs (scripts/planted.mjs): the tests of each folder
 * under change, and the tests above it that drive it through real use (the world's machines,
 * the DRM core's and PCI's tests, which run the kernel and the driver-model base underneath).
 */
import { readdirSync } from "node:fs";

const isTest = (/** @type {string} */ f) => f.endsWith(".test.js");

/** Which test files of each suite's folder it holds (all but the CLI's kind). */
const SUITE_FILES = {
  kernel: isTest,
  base: isTest,
  pci: isTest,
  drm: isTest,
  world: isTest,
  // The scenario runner's tests run the built-in scenarios; the loader's tests do not reach drm.
  scenario: (/** @type {string} */ f) => f === "run.test.js",
};

/** @typedef {keyof typeof SUITE_FILES} SuiteName */

/** Every suite's name. */
export const SUITE_NAMES = /** @type {SuiteName[]} */ (Object.keys(SUITE_FILES));

/**
 * The suites run against a change of each folder.
 * @type {Readonly<Record<"kernel" | "base" | "drm", readonly SuiteName[]>>}
 */
export const SUITES = {
  kernel: ["kernel", "world"],
  base: ["base", "pci", "drm", "world"],
  drm: ["drm", "world", "scenario"],
};

/**
 * The test files of a suite, by name, sorted (they are in dist/<suite>/).
 * @param {SuiteName} suite
 */
export function suiteFiles(suite) {
  return readdirSync(`dist/${suite}`).filter(SUITE_FILES[suite]).sort();
}
