/**
 * Assembling a simulated machine for tests, scenarios and the demo.
 */
export { DEFAULT_DEVICES, formatWorldOptions, resolvedProfile, type DeviceSpec, type WorldOptions } from "./options.js";
export { World, type BlockedProgram, type Program } from "./world.js";
export { manageServices, type Service } from "./services.js";
export { describeFindings, runCoreHotunplug, type SubtestRun, type SubtestRunOptions } from "./core_hotunplug.js";
