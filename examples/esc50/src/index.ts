export { type Esc50Manifests, FOLDS, type FoldManifests, writeEsc50Manifests } from './manifests.js';
export { buildMiniEsc50, MINI_CLASSES, type MiniEsc50 } from './mini-dataset.js';
export {
  DEFAULT_MICRO_BATCH,
  type Esc50Result,
  type FoldResult,
  RECIPE,
  runEsc50,
  USAGE,
} from './program.js';
