// Portable parts (any tfjs backend, browser or Node). File system and process helpers: `@cat/train/node`.
export { GradientAccumulator } from './accumulation.js';
export { AdamW, type AdamWOptions, type AdamWParameterState, type AdamWState } from './adamw.js';
export { clipGradientsByGlobalNorm } from './clipping.js';
export { AudioClassifier, type AudioClassifierOptions, encoderConfigOf } from './finetune/classifier.js';
export { assertFiniteLoss, NonFiniteLossError } from './guard.js';
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
} from './plot.js';
export {
  type LabelledFeatures,
  type LinearClassifier,
  type LinearClassifierOptions,
  linearClassifierScores,
  trainLinearClassifier,
} from './probe/linear.js';
export {
  applyOverrides,
  type BackendChoice,
  type CheckpointRecipe,
  type DataRecipe,
  defaultRecipe,
  type FinetuneRecipe,
  mergeRecipe,
  type NormalizationPreset,
  type OptimRecipe,
  type PretrainRecipe,
  type Recipe,
  RecipeError,
  type RegularizationRecipe,
  resolveRecipe,
  validateRecipe,
} from './recipe.js';
export { type PrefixedWeights, trainableParameters } from './run/parameters.js';
export {
  type CosineScheduleConfig,
  cosineLearningRate,
  dropPathRates,
  layerDecayScale,
} from './schedules.js';
