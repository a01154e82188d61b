/** `vdrm exec`: real programs against the model through umockdev (docs/real-programs.md). */
export { execScenario, type ExecRequest, type ExecResult } from "./exec_run.js";
export { buildShim, checkSetup, ExecSetupError, missingPackages } from "./setup.js";
export { laneCalls, laneCallsText } from "./lane_text.js";
export { buildClient, clientsSkipReason } from "./clients.js";
