export {
  buildMiniAudioSet,
  classLabelsFile,
  MINI_GROUPS,
  type MiniAudioSet,
  type MiniSegment,
} from './audioset-mini.js';
export { catAudio, type Output, shellCommand, streamOutput } from './cat-audio.js';
export {
  type FinetuneRunOptions,
  type FinetuneRunResult,
  finetuneArgs,
  MICRO_ENCODER,
  type RunSize,
  runFinetune,
  sizeOverrides,
} from './finetune-run.js';
export { type ManifestOptions, writeLabelDescriptors, writeLines } from './manifest-files.js';
export {
  finetuneAndPredict,
  type Predictions,
  type PredictOptions,
  predict,
  type RunSummary,
  readPredictions,
} from './predictions.js';
export {
  finetuneOptions,
  finetuneUsage,
  type ProgramProcess,
  positiveInteger,
  type RunChoices,
  type RunOptionValues,
  runChoices,
  runOptions,
  runProgram,
} from './program.js';
export { clip, sonicPiFolder, sonicPiNames, sonicPiRecording } from './sonic-pi.js';
export { audioSampleCount } from './wav.js';
