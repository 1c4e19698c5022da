import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type CallArgs, channelsOf, type LayerArgs, ReferenceLayer, type Shape } from './base.js';

const f32 = Math.fround;

/**
 * The fixed 2-D sin-cos position table of MAE/EAT (§3.3) for a `timePatches` × `freqPatches` grid,
 * row = t·freqPatches + f, as a Float32Array [rows × dim]. Channels [0, D/2) encode the frequency index,
 * [D/2, D) the time index; each half is [sin(p·ω_k), cos(p·ω_k)] with ω_k = 10000^(−k/(D/4)).
 * Every step is rounded to float32 like the reference's float32 NumPy computation.
 */
export function sinCosPositionTable(dim: number, timePatches: number, freqPatches: number): Float32Array {
  if (dim % 4 !== 0) throw new Error(`sin-cos position table: dim must be a multiple of 4, got ${dim}`);
  const quarter = dim / 4;
  const omega = new Float32Array(quarter);
  for (let k = 0; k < quarter; k++) omega[k] = f32(1 / f32(10000 ** f32(k / quarter)));
  const table = new Float32Array(timePatches * freqPatches * dim);
  for (let t = 0; t < timePatches; t++) {
    for (let f = 0; f < freqPatches; f++) {
      const row = (t * freqPatches + f) * dim;
      for (let k = 0; k < quarter; k++) {
        const af = f32(f * omega[k]);
        const at = f32(t * omega[k]);
        table[row + k] = Math.sin(af);
        table[row + quarter + k] = Math.cos(af);
        table[row + 2 * quarter + k] = Math.sin(at);
        table[row + 3 * quarter + k] = Math.cos(at);
      }
    }
  }
  return table;
}

export interface SinCosPositionConfig {
  /** Rows of the time axis of the table (the longest input is maxTimePatches·patch frames). Default 768. */
  maxTimePatches?: number;
  /** Token-grid width along frequency. Default 8 (128 bins / 16). */
  freqPatches?: number;
}

/**
 * Adds the fixed sin-cos position table's first N rows to tokens [B, N, D]. The table is a
 * non-trainable weight (`positions`, [maxTimePatches·freqPatches, D]) so a checkpoint's table can replace it.
 */
export class SinCosPositionEmbedding extends ReferenceLayer {
  static readonly className = 'CatSinCosPositionEmbedding';
  private readonly config: Required<SinCosPositionConfig>;
  private table: tfl.LayerVariable | null = null;

  constructor(config: SinCosPositionConfig & LayerArgs = {}) {
    super(config);
    this.config = { maxTimePatches: config.maxTimePatches ?? 768, freqPatches: config.freqPatches ?? 8 };
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = channelsOf(inputShape as Shape, 'SinCosPositionEmbedding');
    const { maxTimePatches, freqPatches } = this.config;
    const rows = maxTimePatches * freqPatches;
    this.table = this.params().weight('positions', [rows, dim], { kind: 'zeros' }, 'same', false);
    this.table.write(tf.tensor2d(sinCosPositionTable(dim, maxTimePatches, freqPatches), [rows, dim]));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return inputShape as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const tokens = x.shape[1] as number;
      const table = (this.table as tfl.LayerVariable).read();
      if (tokens > table.shape[0]) {
        throw new Error(
          `SinCosPositionEmbedding: ${tokens} tokens exceed the table's ${table.shape[0]} rows`,
        );
      }
      return tf.add(x, tf.slice(table, [0, 0], [tokens, -1]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(SinCosPositionEmbedding);
