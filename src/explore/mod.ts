/**
 * The interleaving explorer (docs/explore.md): searches the choice points of a scenario run
 * (which task runs, when a due timer fires) by seeded random sampling, PCT, depth-first search
 * with dynamic partial-order reduction, or breadth-first search, with every kernel finding and
 * the scenario's own expectations as oracles, and hands back a shrunk counterexample with its
 * replay token.
 */
export { explore, search, shrunkCounterexample, type ExploreResult } from "./explore.js";
export { formatCounterexample, counterexample, failureLines, stepLines, replayLine, type Counterexample } from "./counterexample.js";
export { execute, failureOf, prefixChooser, type Chooser, type Execution, type Failure } from "./execution.js";
export { MODES, type ExploreOptions, type Mode, type SearchResult, type Stats } from "./search.js";
export { SAMPLES_DEFAULT } from "./sample.js";
export { traceHash } from "./trace_hash.js";
export { combine, type Combined } from "./combine.js";
export { mergeShards, type Merged } from "./merge.js";
export { runUnits, UnitRunner } from "./pool.js";
export { parseShardFile, ShardFileError, SHARD_FORMAT, SHARD_VERSION, type ShardFile } from "./shard_file.js";
export { shardUnits, split, splittable, type Split, type Unit } from "./split.js";
export { runUnit, type UnitResult } from "./unit.js";
export { layoutOf, type ModelFindingKind, type ModelTransition, type ModelVar, type TransitionModel } from "./model.js";
export {
  searchModel, spinTransitions, type ModelSearchOptions, type ModelSearchResult, type ModelStats,
  type ModelViolationFound,
} from "./model_search.js";
export { isModelText, loadModelFile, MODELS, readModelText, type ModelFile } from "./model_file.js";
export { unplugTwin, type UnplugTwinOptions } from "./twin_unplug.js";
export { decisionsOf, ModelReplayMismatch, replayModel, type ModelRun } from "./model_replay.js";
export {
  decodeModelToken, encodeModelToken, isModelToken, MODEL_TOKEN_PREFIX, type ModelToken,
} from "./model_token.js";
