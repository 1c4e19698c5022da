import { CnnDecoder, type CnnDecoderConfig } from '../blocks/decoder.js';
import { CatEncoder, EatEncoder, type EncoderConfig, type SpectrogramEncoder } from './encoder.js';

export const MODEL_NAMES = [
  'cat-tiny',
  'cat-small',
  'cat-base',
  'cat-large',
  'eat-tiny',
  'eat-small',
  'eat-base',
  'eat-large',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface ModelPreset {
  name: ModelName;
  encoder: EncoderConfig;
  /** Pre-training decoder (width = the encoder's). */
  decoder: Required<Pick<CnnDecoderConfig, 'numLayers' | 'kernelSize' | 'groups'>>;
  /** Width of the RR projector (CLAP: 512); null for EAT (no RR). */
  rrDim: number | null;
}

interface Size {
  embedDim: number;
  numHeads: number;
  channels: [number, number];
  decoderLayers: number;
  decoderKernel: number;
}

const SIZES: Record<'tiny' | 'small' | 'base' | 'large', Size> = {
  tiny: { embedDim: 192, numHeads: 3, channels: [64, 96], decoderLayers: 6, decoderKernel: 3 },
  small: { embedDim: 384, numHeads: 6, channels: [128, 192], decoderLayers: 6, decoderKernel: 3 },
  base: { embedDim: 768, numHeads: 12, channels: [256, 384], decoderLayers: 6, decoderKernel: 3 },
  // The reference large config (§6): 24 blocks, 1024 wide, decoder 1024/5/3; CAT-large drops one
  // block for the multi-resolution block like CAT-base, whose 256/384 stage widths it keeps.
  large: { embedDim: 1024, numHeads: 16, channels: [256, 384], decoderLayers: 3, decoderKernel: 5 },
};

/** The configuration of a named model (cat-weights.md §6). */
export function modelPreset(name: ModelName): ModelPreset {
  if (!MODEL_NAMES.includes(name)) {
    throw new Error(`unknown model "${name}"; known: ${MODEL_NAMES.join(', ')}`);
  }
  const [family, sizeName] = name.split('-') as ['cat' | 'eat', keyof typeof SIZES];
  const size = SIZES[sizeName];
  const baseDepth = sizeName === 'large' ? 24 : 12;
  const cat = family === 'cat';
  return {
    name,
    encoder: {
      embedDim: size.embedDim,
      numHeads: size.numHeads,
      depth: cat ? baseDepth - 1 : baseDepth,
      multiResolution: cat ? { resolutions: [4, 8, 16], channels: [...size.channels], depths: [2, 2] } : null,
    },
    decoder: { numLayers: size.decoderLayers, kernelSize: size.decoderKernel, groups: 16 },
    rrDim: cat ? 512 : null,
  };
}

/** Builds the encoder of a named model or configuration (random init from `seed`). */
export function createEncoder(model: ModelName | EncoderConfig, seed?: number): SpectrogramEncoder {
  const config = typeof model === 'string' ? modelPreset(model).encoder : model;
  const withSeed = { ...config, seed: seed ?? config.seed };
  return config.multiResolution ? new CatEncoder(withSeed) : new EatEncoder(withSeed);
}

/** Builds the pre-training decoder of a named model. */
export function createDecoder(model: ModelName, seed?: number): CnnDecoder {
  const preset = modelPreset(model);
  return new CnnDecoder({ ...preset.decoder, seed });
}

export interface ParameterCounts {
  /** Multi-resolution block or patch embedding. */
  localEncoder: number;
  /** CLS token + input LayerNorm. */
  classTokenAndNorm: number;
  blocks: number;
  /** Trainable encoder total (the fixed position table excluded). */
  encoder: number;
  /** The fixed position table (not trainable). */
  positionTable: number;
}

/** Parameter counts of an encoder from its configuration, without allocating weights. */
export function countEncoderParams(config: EncoderConfig): ParameterCounts {
  const d = config.embedDim;
  const mlp = config.mlpRatio ?? 4;
  let local: number;
  let patch: number;
  if (config.multiResolution) {
    const resolutions = config.multiResolution.resolutions ?? [4, 8, 16];
    const channels = config.multiResolution.channels ?? [256, 384];
    const depths = config.multiResolution.depths ?? [2, 2];
    const blockRatio = config.multiResolution.mlpRatio ?? 4;
    const k = config.multiResolution.kernelSize ?? 5;
    patch = resolutions[resolutions.length - 1];
    const widths = [1, ...channels, d];
    local = d * d + d; // the last stage's Linear
    resolutions.forEach((r, s) => {
      const step = s === 0 ? r : r / resolutions[s - 1];
      const [cin, c] = [widths[s], widths[s + 1]];
      local += cin * c * step * step + c + 2 * c;
      if (s === resolutions.length - 1) return;
      const h = Math.round(c * blockRatio);
      const cblock = 4 * c + 2 * (c * c + c) + (c * k * k + c) + (c * h + h) + (h * c + c);
      const toGrid = patch / r;
      local += depths[s] * cblock + (c * d * toGrid * toGrid + d);
    });
  } else {
    patch = config.patchSize ?? 16;
    local = d * patch * patch + d;
  }
  const h = Math.round(d * mlp);
  const block = 3 * d * d + 3 * d + (d * d + d) + 4 * d + (d * h + h) + (h * d + d);
  const blocks = config.depth * block;
  const freqPatches = (config.freqBins ?? 128) / patch;
  return {
    localEncoder: local,
    classTokenAndNorm: 3 * d,
    blocks,
    encoder: local + 3 * d + blocks,
    positionTable: (config.maxTimePatches ?? 768) * freqPatches * d,
  };
}

/** Parameters of the CNN decoder of width `dim`. */
export function countDecoderParams(dim: number, decoder: ModelPreset['decoder']): number {
  const { numLayers, kernelSize: k, groups } = decoder;
  return numLayers * ((dim / groups) * dim * k * k + dim) + dim * dim + dim;
}
