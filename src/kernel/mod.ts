/**
 * The deterministic simulation kernel. It knows nothing about DRM.
 */
export { assert, assertNever, ModelAssertionError } from "./assert.js";
export { Completion, complete, completeAll, reinitCompletion, waitForCompletion } from "./completion.js";
export { findingClass, findingSiteLines, findingSummary, type Finding, type FindingClass, type FindingKind, type Waiter } from "./findings.js";
export { formatSite, isFreed, type AllocKind, type Allocation, type AllocationId, type KStruct, type Site } from "./kobject.js";
export { Kref, krefGet, krefPut, krefRead } from "./kref.js";
export { Mutex, mutexDestroy, mutexLock, mutexUnlock } from "./mutex.js";
export { Prng } from "./prng.js";
export { Sim, SimTask, type RunOutcome, type SimOptions, type SpawnOptions } from "./sim.js";
export { SrcuStruct, srcuReadLock, srcuReadUnlock, synchronizeSrcu, type SrcuToken } from "./srcu.js";
export { decodeDecisions, encodeDecisions, FifoStrategy, RandomStrategy, ReplayStrategy, type SchedulingStrategy } from "./strategy.js";
export { fixedStep, sleepTicks, step, TIMED_OUT, type StepYield, type Task, type TaskId, type TaskKind, type TaskView, type Yield } from "./task.js";
export { jsonText } from "./json.js";
export { callJson, formatCall, formatCallFields, formatCallValue, formatTrace, TraceLog, type CallFields, type CallRecord, type CallValue, type TraceEvent, type TraceLevel } from "./trace.js";
export { WaitQueue, waitEvent } from "./wait_queue.js";
