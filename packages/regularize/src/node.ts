/**
 * Node-only parts of @cat/regularize (`@cat/regularize/node`): feature stores on disk, the external encoders
 * (they read audio and model files) and precomputing features.
 */

export { SpectralDescriptorEncoder, type SpectralDescriptorEncoderOptions } from './encoders/descriptors.js';
export {
  FrozenCatEncoder,
  type FrozenCatEncoderOptions,
  TOKEN_POOLINGS,
  type TokenPooling,
} from './encoders/frozen-cat.js';
export { modelFileHandler } from './encoders/model-files.js';
export { PrecomputedEncoder } from './encoders/precomputed.js';
export {
  ENCODER_SPEC_GRAMMAR,
  type EncoderSpec,
  type OpenEncoderOptions,
  openExternalEncoder,
  parseEncoderSpec,
} from './encoders/spec.js';
export type { NormalizationPreset, SpectrogramSettings } from './encoders/spectrogram.js';
export {
  type FeatureStandardization,
  FeatureStatistics,
  readStandardization,
  standardize,
  writeStandardization,
} from './encoders/standardization.js';
export {
  INPUT_LAYOUTS,
  type InputLayout,
  OUTPUT_POOLINGS,
  type OutputPooling,
  TfjsModelEncoder,
  type TfjsModelEncoderOptions,
} from './encoders/tfjs-model.js';
export {
  type PrecomputeEntry,
  type PrecomputeOptions,
  type PrecomputeProgress,
  type PrecomputeResult,
  precomputeFeatures,
  type SkippedClip,
} from './precompute.js';
export {
  clipId,
  gatherFeatures,
  NpyFeatureStore,
  PackedFeatureStore,
  readFeatureManifest,
  writeFeatureManifest,
  writePackedFeatures,
} from './stores.js';
