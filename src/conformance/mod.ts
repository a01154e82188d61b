/**
 * `vdrm conformance` (docs/conformance.md): the cases of `conformance/`, one per requirement
 * of docs/requirements.md, run across drivers, profiles, kernel versions and seeds.
 */
export { loadCase, type ConformanceCase } from "./case.js";
export { divergences, formatDiffMarkdown, formatDiffText, type Divergence } from "./diff.js";
export { formatSuiteText, suiteJson, suiteJunit, versionRange } from "./format.js";
export { BROKEN_DRIVERS, loadCases, selectCases, siblingOf, type Filters } from "./plan.js";
export { CASE_DIR, runSuite, runSuiteInThread, type SuiteOptions, type SuiteReport } from "./suite.js";
