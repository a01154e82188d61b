/**
 * The deterministic simulation kernel. It knows nothing about DRM.
 */
export { assert, assertNever, ModelAssertionError } from "./assert.js";
export { Completion, complete, completeAll, reinitCompletion, waitForCompletion } from "./completion.js";
export {
  FINDING_CLASSES, FINDING_KINDS, findingClass, findingKindsOf, findingSiteLines, findingSites,
  findingSummary, foundAtShutdown,
  type Finding, type FindingClass, type FindingKind, type FindingSite, type Waiter,
} from "./findings.js";
export { defaultFootprintMode, embeddedStruct, setDefaultFootprintMode, type AccessMode, type FootprintMode } from "./footprint.js";
export { formatSite, isFreed, KObject, type AllocKind, type Allocation, type AllocationId, type KObjectClass, type KObjectTracker, type KStruct, type Site } from "./kobject.js";
export { Kref, krefGet, krefPut, krefRead } from "./kref.js";
export { Mutex, mutexDestroy, mutexLock, mutexUnlock } from "./mutex.js";
export { Prng } from "./prng.js";
export { INTERRUPTED, TaskKilled } from "./signal.js";
export { Sim, SimTask, type AllocOptions, type BlockedOn, type RunOutcome, type SimOptions, type SpawnOptions } from "./sim.js";
export { SrcuStruct, srcuReadLock, srcuReadUnlock, synchronizeSrcu, type SrcuToken } from "./srcu.js";
export { FifoStrategy, RandomStrategy, ReplayMismatchError, ReplayStrategy, RunStopped, type SchedulingStrategy } from "./strategy.js";
export { taskKey, waitQueueKey, type ExecutionObserver, type SyncKey } from "./observer.js";
export { fixedStep, footprintOf, lookupStep, sleepTicks, step, TIMED_OUT, type Footprint, type SleepState, type StepYield, type Task, type TaskId, type TaskKind, type TaskView, type Yield } from "./task.js";
export { msFromUs, nsFromTicks, secondsFromTicks, ticksFromMs, ticksFromNsCeil, ticksFromUs, TICKS_PER_US, US_PER_MS, US_PER_S, usFrom, usFromTicks, type TimeUnit } from "./time.js";
export { jsonText } from "./json.js";
export { callJson, formatCall, formatCallFields, formatCallValue, formatTrace, TraceLog, type CallFields, type CallRecord, type CallValue, type AllocEvent, type FindingEvent, type SignaledEvent, type StateEvent, type DisplayEvent, type TraceEvent, type TraceLevel } from "./trace.js";
export { WaitQueue, waitEvent, waitEventInterruptible, type WaitResult } from "./wait_queue.js";
