export * from './backend/index.js';
export type { CallArgs, LayerArgs, SeedArgs, Shape } from './blocks/base.js';
export { ReferenceLayer } from './blocks/base.js';
export { CBlock, type CBlockConfig } from './blocks/conv-block.js';
export { CnnDecoder, type CnnDecoderConfig } from './blocks/decoder.js';
export {
  ClassificationHead,
  type ClassificationHeadConfig,
  Linear,
  type LinearConfig,
} from './blocks/head.js';
export { LayerNorm, type LayerNormConfig } from './blocks/layer-norm.js';
export {
  MultiResolutionBlock,
  type MultiResolutionConfig,
  upsampleVisibility,
} from './blocks/multi-resolution.js';
export { dropPath, gelu, groupedConv, layerNorm, patchConv } from './blocks/ops.js';
export type { NamedWeight, WeightLayout } from './blocks/params.js';
export { PatchEmbed, type PatchEmbedConfig } from './blocks/patch-embed.js';
export {
  type SinCosPositionConfig,
  SinCosPositionEmbedding,
  sinCosPositionTable,
} from './blocks/position.js';
export { ClassToken, scatterTokens, selectTokens, visibleTokenIndices } from './blocks/tokens.js';
export { TransformerBlock, type TransformerBlockConfig } from './blocks/transformer.js';
export {
  type Embedding,
  embed,
  FeatureExtractor,
  type FeatureExtractorOptions,
  type Granularity,
  teacherWeights,
} from './models/embed.js';
export {
  CatEncoder,
  EatEncoder,
  type EncodeOptions,
  type EncoderConfig,
  type EncoderOutput,
  SpectrogramEncoder,
} from './models/encoder.js';
export {
  decoderFlops,
  encoderFlops,
  finetuningStepFlops,
  type PretrainingStepFlops,
  type PretrainingStepOptions,
  pretrainingStepFlops,
} from './models/flops.js';
export {
  countDecoderParams,
  countEncoderParams,
  createDecoder,
  createEncoder,
  MODEL_NAMES,
  type ModelName,
  type ModelPreset,
  modelPreset,
  type ParameterCounts,
} from './models/presets.js';
export {
  type AssignOptions,
  assignReferenceTensors,
  type CheckpointLayout,
  checkpointLayout,
  checkpointTensors,
  loadCheckpoint,
  type ModelParts,
  referenceTensors,
  type WeightGroup,
} from './weights/mapping.js';
export {
  type FloatTensor,
  readSafetensors,
  readSafetensorsMetadata,
  type TensorMap,
  writeSafetensors,
} from './weights/safetensors.js';
