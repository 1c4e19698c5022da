export { GradientAccumulator } from './accumulation.js';
export { AdamW, type AdamWOptions, type AdamWParameterState, type AdamWState } from './adamw.js';
export { type FileContent, writeFileAtomic, writeJsonAtomic } from './atomic-file.js';
export {
  CHECKPOINT_MARKER,
  CheckpointDirectory,
  type CheckpointInfo,
  type CheckpointRetention,
  type CheckpointWriter,
  checkpointFolderName,
} from './checkpoints.js';
export { clipGradientsByGlobalNorm } from './clipping.js';
export { assertFiniteLoss, NonFiniteLossError } from './guard.js';
export { JsonlWriter, readJsonl } from './jsonl.js';
export {
  type BceNormalization,
  multiLabelBceWithLogits,
  smoothLabels,
  softTargetCrossEntropy,
} from './losses.js';
export {
  accuracy,
  averagePrecision,
  dPrime,
  meanAveragePrecision,
  meanRocAuc,
  nanMean,
  rocAuc,
  type ScoreMatrix,
} from './metrics.js';
export { normalQuantile } from './normal-quantile.js';
export {
  excludedFromWeightDecay,
  type GroupingOptions,
  type NamedParameter,
  type ParameterGroup,
  parameterGroups,
} from './parameters.js';
export {
  niceTicks,
  type PlotOptions,
  type PlotPanel,
  type PlotSeries,
  panelsFromRecords,
  renderTrainingPlot,
  writeTrainingPlot,
} from './plot.js';
export { type ProgressOptions, ProgressReporter, type ProgressStream } from './progress.js';
export {
  type CosineScheduleConfig,
  cosineLearningRate,
  dropPathRates,
  layerDecayScale,
} from './schedules.js';
