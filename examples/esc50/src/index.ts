export { catAudio, consoleOutput, type Output, shellCommand } from './cat-audio.js';
export {
  type FinetuneRunOptions,
  type FinetuneRunResult,
  finetuneArgs,
  runFinetune,
  sizeOverrides,
} from './finetune-run.js';
export { type Esc50Manifests, FOLDS, type FoldManifests, writeEsc50Manifests } from './manifests.js';
export { buildMiniEsc50, MINI_CLASSES, type MiniEsc50 } from './mini-dataset.js';
export { type Predictions, type PredictOptions, predict, readPredictions } from './predictions.js';
export {
  DEFAULT_MICRO_BATCH,
  type Esc50Result,
  type FoldResult,
  RECIPE,
  runEsc50,
  USAGE,
} from './program.js';
export { audioSampleCount, encodeWav16 } from './wav.js';
