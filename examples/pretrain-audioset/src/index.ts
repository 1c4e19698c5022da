export { buildMiniPretrainingSet, type MiniPretrainingSet } from './mini-dataset.js';
export {
  batchOverrides,
  DEFAULT_MICRO_BATCH,
  type PretrainRunResult,
  RECIPE,
  runPretrainAudioSet,
  USAGE,
} from './program.js';
