// @ts-check
/**
 * StrykerJS configuration for `npm run mutate` (scripts/mutate.mjs), the mutation testing of
 * src/kernel, src/drm and src/base (docs/quality.md).
 *
 * Stryker mutates the compiled JavaScript in dist/, not the TypeScript: its TypeScript path would
 * type-check or rebuild per mutant, and all mutants of a file run from one instrumented build
 * (mutant schemata). The tap runner runs each test file as `node --import ./dist/_test_setup.js`
 * like `npm test`, so the footprint checker is on in every mutant run. Each file it runs is one
 * "test" for Stryker; with per-test coverage a mutant runs only the files that execute it.
 *
 * scripts/mutate.mjs builds dist/, writes the suites (dist/_mutate/*.suite.js, each the test
 * files of one folder), then runs Stryker a folder at a time with `mutate` and `tap.testFiles`
 * set for that folder. Use it (`npm run mutate -- kernel/kref.ts` for one file), not
 * `npx stryker run`, which would run every suite against the kernel's mutants.
 * @type {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
const config = {
  testRunner: "tap",
  plugins: ["@stryker-mutator/tap-runner", "./scripts/stryker_ignore_asserts.mjs"],
  // No mutants in the model's invariant checks (see the plugin).
  ignorers: ["model-asserts"],
  coverageAnalysis: "perTest",
  concurrency: 2,
  mutate: ["dist/kernel/**/*.js", "!dist/**/*.test.js", "!dist/**/_*.js"],
  tap: {
    // The suites scripts/mutate.mjs writes (a folder's test files in one process each).
    testFiles: ["dist/_mutate/*.suite.js"],
    nodeArgs: [
      "-r",
      "{{hookFile}}",
      "--import",
      "./dist/_test_setup.js",
      "--test-reporter=tap",
      "{{testFile}}",
    ],
    forceBail: true,
  },
  // Only dist/, the data the tests read and the package manifest go into the sandbox.
  ignorePatterns: ["/src", "/reports", "/out", "/.ci", "*.log", "*.js.map", "*.d.ts"],
  reporters: [process.stdout.isTTY ? "progress" : "dots", "clear-text", "json", "html"],
  clearTextReporter: { allowColor: false, logTests: false, reportTests: false },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  // A mutant's run may take this much longer than its tests did in the initial run before it
  // counts as a timeout (killed). On a machine shared with other work the load changes between
  // the two: with 10 s, normal runs slowed by a busier moment were counted as timeouts.
  timeoutMS: 60000,
};

export default config;
