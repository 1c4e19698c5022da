export { catAudio, consoleOutput, type Output, shellCommand } from './cat-audio.js';
export {
  type FinetuneRunOptions,
  type FinetuneRunResult,
  finetuneArgs,
  runFinetune,
  sizeOverrides,
} from './finetune-run.js';
export { REFERENCE_WORDS, type SpeechCommandsManifests, writeSpeechCommandsManifests } from './manifests.js';
export { buildMiniSpeechCommands, MINI_WORDS, type MiniSpeechCommands } from './mini-dataset.js';
export { type Predictions, type PredictOptions, predict, readPredictions } from './predictions.js';
export {
  DEFAULT_MICRO_BATCH,
  RECIPE,
  runSpeechCommands,
  type SpeechCommandsResult,
  USAGE,
} from './program.js';
export { audioSampleCount, encodeWav16 } from './wav.js';
