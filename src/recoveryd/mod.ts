/**
 * The recovery daemon (docs/recoveryd.md): `vdrm recoveryd` acts on WEDGED uevents per the
 * Device Wedging chapter, on a real machine (host_linux.ts) or any other host (host.ts).
 */
export { configSchema, defaultConfig, METHODS, type Config, type Method } from "./config.js";
export { formatConfigError, parseConfig, type ConfigError, type ConfigResult } from "./config_load.js";
export { NO_OBSERVER, type DaemonObserver } from "./context.js";
export { RecoveryDaemon, type DaemonExit } from "./daemon.js";
export type { RecoveryHost, SysfsAccess, ProcfsAccess, DevAccess, JournalStore, ProgramRunner, Clock, Output, LogRecord, Resolved, IoResult, TelemetryStore } from "./host.js";
export { findHolders, type Holder, type DeviceIdentity } from "./holders.js";
export { readJournal, unfinished, type JournalRecord, type Mode, type Outcome } from "./journal.js";
export { Ladder } from "./ladder.js";
export { parseWedged, type WedgedMethods } from "./methods.js";
export { lookupPciDevice, type PciDevice } from "./pci_device.js";
export { describeStep, planRecovery, type Action, type Step } from "./plan.js";
export { DirectoryDevAccess, DirectoryProcfsAccess, DirectorySysfsAccess } from "./host_files.js";
export { JournalFile, linuxHost, spawnRunner, udevadmSource, wallClock } from "./host_linux.js";
export { ListenError, runService, type ServiceOptions } from "./service.js";
export { daemonStatus, formatStatus, type DaemonStatus } from "./status.js";
export { trustProblems } from "./trust.js";
export { BUS_ID, CARD0, fakeMachine, fakeUdevadm, PCI, snapshot, wedgedText, type FakeMachine } from "./fake_machine.js";
export { MODEL_BOOT_EPOCH_MS, syscallsClock, syscallsHost, SyscallsDevAccess, SyscallsProcfsAccess, SyscallsSysfsAccess, type SyscallsHostOptions } from "./host_model.js";
