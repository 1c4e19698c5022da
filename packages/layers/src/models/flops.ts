import type { EncoderConfig } from './encoder.js';
import { type ModelName, type ModelPreset, modelPreset } from './presets.js';

/**
 * Analytic FLOP counts (2 per multiply-add) of the model's matmuls and convolutions, the work that
 * benchmarks divide by time to get achieved GFLOP/s. Element-wise work (norms, GELU, softmax, losses,
 * optimizer) is left out: it is a few percent of the total and not what the matmul ceiling measures.
 */

/** Multiply-adds of a transformer block on `tokens` tokens (per sample). */
function blockMacs(dim: number, mlpRatio: number, tokens: number): number {
  const hidden = Math.round(dim * mlpRatio);
  // qkv + proj + fc1 + fc2 per token, then q·kᵀ and weights·v over every token pair.
  return tokens * (4 * dim * dim + 2 * dim * hidden) + 2 * tokens * tokens * dim;
}

/** Multiply-adds of the local encoder (multi-resolution block or patch embedding) on one spectrogram. */
function localEncoderMacs(config: EncoderConfig, frames: number): number {
  const d = config.embedDim;
  const freqBins = config.freqBins ?? 128;
  if (!config.multiResolution) {
    const patch = config.patchSize ?? 16;
    return (frames / patch) * (freqBins / patch) * patch * patch * d;
  }
  const resolutions = config.multiResolution.resolutions ?? [4, 8, 16];
  const channels = config.multiResolution.channels ?? [256, 384];
  const depths = config.multiResolution.depths ?? [2, 2];
  const ratio = config.multiResolution.mlpRatio ?? 4;
  const k = config.multiResolution.kernelSize ?? 5;
  const patch = resolutions[resolutions.length - 1];
  const tokens = (frames / patch) * (freqBins / patch);
  const widths = [1, ...channels, d];
  let macs = tokens * d * d; // the last stage's Linear
  resolutions.forEach((r, s) => {
    const cells = (frames / r) * (freqBins / r);
    const step = s === 0 ? r : r / resolutions[s - 1];
    const [cin, c] = [widths[s], widths[s + 1]];
    macs += cells * step * step * cin * c; // patch embedding
    if (s === resolutions.length - 1) return;
    const hidden = Math.round(c * ratio);
    // CBlock: two 1×1 convs, the depthwise k×k conv, the conv-MLP.
    macs += depths[s] * cells * (2 * c * c + k * k * c + 2 * c * hidden);
    const toGrid = patch / r;
    macs += tokens * toGrid * toGrid * c * d; // stage output conv onto the token grid
  });
  return macs;
}

/** Token count of the grid for `frames` frames. */
function gridTokens(config: EncoderConfig, frames: number): number {
  const patch = config.multiResolution
    ? (config.multiResolution.resolutions ?? [4, 8, 16]).at(-1)!
    : (config.patchSize ?? 16);
  return (frames / patch) * ((config.freqBins ?? 128) / patch);
}

/**
 * FLOPs of one encoder forward on `batch` spectrograms of `frames` frames. With `visibleTokens`, the
 * student's masked path: the local encoder still runs on the full spectrogram, the transformer on CLS +
 * the visible tokens only.
 */
export function encoderFlops(
  config: EncoderConfig,
  batch: number,
  frames: number,
  visibleTokens?: number,
): number {
  const tokens = 1 + (visibleTokens ?? gridTokens(config, frames));
  const transformer = config.depth * blockMacs(config.embedDim, config.mlpRatio ?? 4, tokens);
  return 2 * batch * (localEncoderMacs(config, frames) + transformer);
}

/** FLOPs of the CNN decoder's forward on `views` full token grids of `tokens` tokens. */
export function decoderFlops(
  dim: number,
  decoder: ModelPreset['decoder'],
  views: number,
  tokens: number,
): number {
  const { numLayers, kernelSize: k, groups } = decoder;
  return 2 * views * tokens * (numLayers * (dim / groups) * dim * k * k + dim * dim);
}

export interface PretrainingStepOptions {
  /** Masked views per clip. Default 4. */
  clones?: number;
  /** Default 0.8 (the student sees floor(N · 0.2) tokens). */
  maskProb?: number;
}

export interface PretrainingStepFlops {
  /** Teacher forward on the unmasked clips (no backward). */
  teacher: number;
  /** Student forward on the masked views. */
  student: number;
  /** Decoder forward on the views. */
  decoder: number;
  /** teacher + 3 · (student + decoder): the backward pass costs about twice the forward. */
  total: number;
}

/** FLOPs of one pre-training step (teacher, masked student, decoder, backward) of a named model. */
export function pretrainingStepFlops(
  model: ModelName | ModelPreset,
  batch: number,
  frames: number,
  options: PretrainingStepOptions = {},
): PretrainingStepFlops {
  const preset = typeof model === 'string' ? modelPreset(model) : model;
  const { clones = 4, maskProb = 0.8 } = options;
  const config = preset.encoder;
  const tokens = gridTokens(config, frames);
  const views = batch * clones;
  const teacher = encoderFlops(config, batch, frames);
  const student = encoderFlops(config, views, frames, Math.floor(tokens * (1 - maskProb)));
  const decoder = decoderFlops(config.embedDim, preset.decoder, views, tokens);
  return { teacher, student, decoder, total: teacher + 3 * (student + decoder) };
}

/**
 * FLOPs of one fine-tuning step: encoder forward and backward on the unmasked clips (3x the forward) and the
 * linear head on the CLS token.
 */
export function finetuningStepFlops(
  model: ModelName | ModelPreset,
  batch: number,
  frames: number,
  classes: number,
): number {
  const config = (typeof model === 'string' ? modelPreset(model) : model).encoder;
  return 3 * (encoderFlops(config, batch, frames) + 2 * batch * config.embedDim * classes);
}
