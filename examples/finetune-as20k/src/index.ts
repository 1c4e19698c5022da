export { catAudio, consoleOutput, type Output, shellCommand } from './cat-audio.js';
export {
  type FinetuneRunOptions,
  type FinetuneRunResult,
  finetuneArgs,
  runFinetune,
  sizeOverrides,
} from './finetune-run.js';
export {
  type AudioSetManifests,
  type SplitInput,
  type SplitManifest,
  writeAudioSetManifests,
} from './manifests.js';
export {
  buildMiniAudioSet,
  classLabelsFile,
  MINI_GROUPS,
  type MiniAudioSet,
  type MiniSegment,
} from './mini-dataset.js';
export { type Predictions, type PredictOptions, predict, readPredictions } from './predictions.js';
export { type As20kResult, DEFAULT_MICRO_BATCH, RECIPE, runAs20k, USAGE } from './program.js';
export { audioSampleCount, encodeWav16 } from './wav.js';
