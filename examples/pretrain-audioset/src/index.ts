export {
  buildMiniAudioSet,
  classLabelsFile,
  MINI_GROUPS,
  type MiniAudioSet,
  type MiniSegment,
} from './audioset-mini.js';
export { catAudio, consoleOutput, type Output, shellCommand } from './cat-audio.js';
export { buildMiniPretrainingSet, type MiniPretrainingSet } from './mini-dataset.js';
export {
  batchOverrides,
  DEFAULT_MICRO_BATCH,
  type PretrainRunResult,
  RECIPE,
  runPretrainAudioSet,
  USAGE,
} from './program.js';
export { encodeWav16 } from './wav.js';
