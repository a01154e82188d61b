/**
 * Scenario files: the format, loading with located errors, running, and the verdict.
 */
export { formatLocated, type Located } from "./locate.js";
export { loadScenarioFile, parseScenario, type LoadResult } from "./load.js";
export { formatBytes } from "./limits.js";
export { readTextBounded } from "./read_bounded.js";
export { escapeControls } from "./user_text.js";
export { shellQuote } from "./shell_quote.js";
export { OPS } from "./ops.js";
export {
  finishRun, runScenario, startRun, worstFindingClass, type StartedRun,
  type BudgetStop, type RunOverrides, type ScenarioRun, type StepRecord, type UeventRecord,
} from "./run.js";
export { RunCrash } from "./crash.js";
export {
  isPassWord, STEPS_MAX_DEFAULT, VERDICTS, verdictsByExitCode, verdictWord,
  worstVerdict, type ScenarioVerdict, type Verdict, type VerdictRow,
} from "./verdict.js";
export type { Scenario } from "./scenario.js";
export { formatRunText, time as timelineTime } from "./format_text.js";
export { runJson } from "./format_json.js";
export { replayCommand, replayToken, seedCommand, tooManyDecisions } from "./replay.js";
export { DECISIONS_MAX, decodeReplayToken, encodeReplayToken, type ReplayToken, type TokenResult } from "./replay_token.js";
export { scenarioWithDriver, subjectDriver } from "./with_driver.js";
