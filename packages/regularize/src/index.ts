export { ALIGNMENT_LOSS_KINDS, type AlignmentLossKind, alignmentLoss } from './losses.js';
export { decodeFloat16, encodeFloat16 } from './float16.js';
export {
  clipId,
  type FeatureManifestEntry,
  type FeatureStore,
  gatherFeatures,
  NpyFeatureStore,
  PackedFeatureStore,
  readFeatureManifest,
  writeFeatureManifest,
  writePackedFeatures,
} from './stores.js';
export {
  type RegularizerConfig,
  RepresentationRegularizer,
  resampleFrames,
  type WeightSchedule,
} from './regularizer.js';
