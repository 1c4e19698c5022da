export {
  type AudioSetManifests,
  type SplitInput,
  type SplitManifest,
  writeAudioSetManifests,
} from './manifests.js';
export { type As20kResult, DEFAULT_MICRO_BATCH, RECIPE, runAs20k, USAGE } from './program.js';
