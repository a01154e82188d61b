/**
 * The userspace side of uevents (docs/udev.md): wire formats, uevent sources and a udev-rules
 * engine. Imports only uapi, so the same code runs in the model (over `Syscalls`) and on a real
 * machine.
 */
export { awaitPromise, runCall, runSync, type Awaiting } from "./call.js";
export { parseUeventDatagram, type ParsedDatagram, type UeventOrigin } from "./datagram.js";
export { describeWhere, UeventFormatError, type UeventWhere } from "./format_error.js";
export { encodeKernelDatagram, parseKernelDatagram } from "./kernel_datagram.js";
export {
  encodeLibudevDatagram, isLibudevDatagram, LIBUDEV_HEADER_SIZE, parseLibudevDatagram, parseLibudevHeader,
  UDEV_MONITOR_MAGIC, type LibudevHeader,
} from "./libudev_datagram.js";
export { murmurHash2, stringBloom64, stringHash32 } from "./murmur_hash2.js";
export { parseEventFile, parseFixtureLine, parseRecording, RecordingParser } from "./recording.js";
export {
  formatUdevadmEvent, parseUdevadmText, UdevadmTextParser, type ReceivedUevent, type TextRecord,
} from "./udevadm_text.js";
export { ITEM_QUEUE_MAX, ItemQueue } from "./item_queue.js";
export { RescanningSource, type RescanReason, type SourceItem, type UeventSource } from "./source.js";
export { RecordingUeventSource, type RecordingSourceOptions } from "./source_recording.js";
export { SyscallsUeventSource } from "./source_syscalls.js";
export { UDEVADM_MONITOR_ARGS, UdevadmUeventSource, type UdevadmSourceOptions } from "./source_udevadm.js";
export { directoryDeviceTree, DirectorySysfs, syscallsDeviceTree, SyscallsSysfs, SysfsDeviceTree, type DeviceTree, type SysfsReader } from "./device_tree.js";
export { fnmatch, fnmatchCompile, type Fnmatch } from "./fnmatch.js";
export { applyFormat, checkFormat, type FormatContext } from "./format_subst.js";
export { formatDiagnostic, lineHasEffect, parseRulesFile, type RuleFile, type RuleLine, type RuleSet } from "./rules.js";
export { applyRules, type LineOutcome, type RulesResult, type RunCommand } from "./rules_apply.js";
export { chooseRulesFiles, loadRulesFiles, parseRuleSet, UDEV_RULES_DIRS, type RulesFileChoice } from "./rules_files.js";
export type { Diagnostic, MatchKey, Token } from "./rules_keys.js";
export { compilePattern, patternMatches, type Pattern } from "./rules_match.js";
export { RulesSyntaxError, type Position, type RuleItem, type RuleOp } from "./rules_syntax.js";
export { RUN_TIMEOUT_MS_DEFAULT, runArgv, SpawnSyncExecutor, splitCommand, UDEV_LIBEXEC_DIR, type RunExecutor, type RunOutcome } from "./run_program.js";
export { eventTitle, formatRulesResult, formatRunOutcome } from "./udev_test_report.js";
