// The parts that need Node's file system and process: crash-safe files and checkpoints, logs, progress.
export { type FileContent, writeFileAtomic, writeJsonAtomic } from '@cat/frontend/node';
export {
  CHECKPOINT_MARKER,
  CheckpointDirectory,
  type CheckpointInfo,
  type CheckpointRetention,
  type CheckpointWriter,
  checkpointFolderName,
} from './checkpoints.js';
export { benchmarkFinetuningStep, type FinetuningBenchmarkOptions } from './finetune/bench.js';
export { type ClassificationMetrics, type Evaluation, evaluateClassifier } from './finetune/evaluate.js';
export {
  FINAL_MODEL_FILE,
  type FinetuneOptions,
  type FinetuneResult,
  finetune,
  finetuneData,
  finetuneParameterGroups,
} from './finetune/finetune.js';
export {
  classifierFileBytes,
  headClasses,
  initializeClassifier,
  loadClassifier,
  type ModelFile,
  type ModelLabels,
  readModelFile,
  readModelSpec,
  savedLabels,
  savedModel,
} from './finetune/model-file.js';
export { JsonlWriter, readJsonl } from './jsonl.js';
export { writeTrainingPlot } from './plot-file.js';
export {
  benchmarkPretrainingStep,
  type StepBenchmark,
  type StepBenchmarkOptions,
} from './pretrain/bench.js';
export {
  buildPretrainingModel,
  checkpointParts,
  DECODER_PREFIX,
  type PretrainingModel,
  pretrainingOptimizer,
  pretrainingParameters,
} from './pretrain/model.js';
export { type PretrainOptions, type PretrainResult, pretrain } from './pretrain/pretrain.js';
export {
  createStepRunner,
  type ReplicaOptions,
  ReplicatedStepRunner,
  replicaCount,
} from './pretrain/replicas.js';
export {
  type BatchGradients,
  type HostBatch,
  LocalStepRunner,
  type PretrainingStepRunner,
  type UpdateInputs,
} from './pretrain/step-runner.js';
export {
  embedDataset,
  encoderFeatures,
  extractFeatures,
  type FeatureFunction,
  type FeatureOptions,
  type FeatureSet,
  fbankStatistics,
  type Pooling,
} from './probe/features.js';
export { type LinearProbeOptions, type LinearProbeResult, linearProbe } from './probe/probe.js';
export { type ProgressOptions, ProgressReporter, type ProgressStream } from './progress.js';
export {
  MODEL_FILE,
  modelCheckpointBytes,
  readOptimizerState,
  readTensors,
  writeModelState,
  writeOptimizerState,
} from './run/model-state.js';
export { bundledRecipes, loadRecipe } from './run/recipe-file.js';
export { type PlotLayout, RunFolder } from './run/run-folder.js';
