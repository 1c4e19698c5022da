export { REFERENCE_WORDS, type SpeechCommandsManifests, writeSpeechCommandsManifests } from './manifests.js';
export { buildMiniSpeechCommands, MINI_WORDS, type MiniSpeechCommands } from './mini-dataset.js';
export {
  DEFAULT_MICRO_BATCH,
  RECIPE,
  runSpeechCommands,
  type SpeechCommandsResult,
  USAGE,
} from './program.js';
