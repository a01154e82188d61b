/**
 * vdrm as a library: build a world, load and run scenarios, print or render their results.
 * The simulation kernel and the uapi definitions are their own entry points (vdrm/kernel,
 * vdrm/uapi).
 */
export { World, type DeviceSpec, type WorldOptions } from "./world/mod.js";
export { formatLocated, formatRunText, loadScenarioFile, OPS, parseScenario, replayCommand, runJson, runScenario, type LoadResult, type Located, type RunOverrides, type Scenario, type ScenarioRun, type ScenarioVerdict } from "./scenario/mod.js";
export { renderHtml, worldRunRecord, type RunRecord } from "./report/mod.js";
export { compareWithRecording, formatComparison, summarize } from "./realkernel/mod.js";
