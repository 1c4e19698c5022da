export type { ClipInput, ExternalEncoder } from './encoders/types.js';
export { decodeFloat16, encodeFloat16 } from './float16.js';
export { ALIGNMENT_LOSS_KINDS, type AlignmentLossKind, alignmentLoss } from './losses.js';
export {
  type RegularizerConfig,
  RepresentationRegularizer,
  resampleFrames,
  type WeightSchedule,
} from './regularizer.js';
// The stores read files: they are exported from '@cat/regularize/node'.
export type { FeatureManifestEntry, FeatureStore } from './stores.js';
