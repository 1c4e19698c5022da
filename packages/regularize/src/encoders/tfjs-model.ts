import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { modelFileHandler } from './model-files.js';
import { fbankBatch, resolveSpectrogramSettings, type SpectrogramSettings } from './spectrogram.js';
import type { ClipInput, ExternalEncoder } from './types.js';

/**
 * How a model's output becomes one vector per clip: `mean-time` averages a `[B, T', d]` output over axis 1,
 * `cls` takes its first token, `none` uses a `[B, d]` output as it is.
 */
export type OutputPooling = 'mean-time' | 'cls' | 'none';
export const OUTPUT_POOLINGS: readonly OutputPooling[] = ['mean-time', 'cls', 'none'];

/** `btf`: the model takes `[B, T, 128]`; `btf1`: `[B, T, 128, 1]` (a one-channel image). */
export type InputLayout = 'btf' | 'btf1';
export const INPUT_LAYOUTS: readonly InputLayout[] = ['btf', 'btf1'];

export interface TfjsModelEncoderOptions extends SpectrogramSettings {
  layout?: InputLayout;
  pool?: OutputPooling;
}

/** Either kind of tfjs model, run on one input tensor. */
interface LoadedModel {
  run(input: tf.Tensor): Promise<tf.Tensor | tf.Tensor[]>;
  dispose(): void;
}

function isGraphModel(json: tf.io.ModelJSON): boolean {
  if (json.format) return json.format === 'graph-model';
  return Array.isArray((json.modelTopology as { node?: unknown }).node);
}

async function loadModel(modelPath: string): Promise<LoadedModel> {
  const handler = modelFileHandler(modelPath);
  const json = await handler.readModelJson();
  try {
    if (isGraphModel(json)) {
      const model = await loadGraphModel(handler);
      return {
        // `execute` refuses graphs with control flow or dynamic shapes; those run with `executeAsync`.
        run: async (input) => {
          try {
            return model.execute(input);
          } catch (error) {
            if (!/executeAsync/.test((error as Error).message)) throw error;
            return model.executeAsync(input);
          }
        },
        dispose: () => model.dispose(),
      };
    }
    const model = await loadLayersModel(handler);
    return { run: async (input) => model.predict(input), dispose: () => model.dispose() };
  } catch (error) {
    throw new Error(`${modelPath}: cannot load the tfjs model: ${(error as Error).message}`);
  }
}

function pool(output: tf.Tensor, rule: OutputPooling, source: string): tf.Tensor2D {
  const expected = rule === 'none' ? 2 : 3;
  if (output.rank !== expected) {
    const wanted = rule === 'none' ? '[B, d]' : '[B, T, d]';
    throw new Error(
      `${source}: output of shape [${output.shape.join(', ')}] cannot be pooled with '${rule}' (it needs ${wanted})`,
    );
  }
  if (rule === 'none') return output as tf.Tensor2D;
  if (rule === 'mean-time') return tf.mean(output, 1) as tf.Tensor2D;
  const [batch, , dim] = output.shape;
  return tf.reshape(tf.slice(output, [0, 0, 0], [batch, 1, dim]), [batch, dim]);
}

interface RunSettings {
  targetLength: number;
  layout: InputLayout;
  pooling: OutputPooling;
  source: string;
}

/** Runs the model on `[batch, T, 128]` fbanks and pools its output: one vector per clip. */
async function runModel(
  model: LoadedModel,
  fbanks: Float32Array,
  batch: number,
  { targetLength, layout, pooling, source }: RunSettings,
): Promise<Float32Array[]> {
  const shape = layout === 'btf' ? [batch, targetLength, 128] : [batch, targetLength, 128, 1];
  const input = tf.tensor(fbanks, shape, 'float32');
  let outputs: tf.Tensor | tf.Tensor[];
  try {
    outputs = await model.run(input);
  } catch (error) {
    throw new Error(
      `${source}: the model failed on input [${shape.join(', ')}]: ${(error as Error).message}`,
    );
  } finally {
    input.dispose();
  }
  const list = Array.isArray(outputs) ? outputs : [outputs];
  try {
    if (list.length !== 1) throw new Error(`${source}: the model has ${list.length} outputs, expected one`);
    const pooled = tf.tidy(() => pool(list[0], pooling, source));
    const data = pooled.dataSync() as Float32Array;
    pooled.dispose();
    const dim = data.length / batch;
    return Array.from({ length: batch }, (_, i) => data.slice(i * dim, (i + 1) * dim));
  } finally {
    for (const t of list) t.dispose();
  }
}

/**
 * A frozen tfjs LayersModel or GraphModel from disk (`model.json` + weight shards), fed the reference fbank of
 * each clip, its output pooled to one vector per clip. Loads without tfjs-node.
 */
export class TfjsModelEncoder implements ExternalEncoder {
  readonly name: string;

  private constructor(
    private readonly model: LoadedModel,
    readonly dimension: number,
    private readonly settings: RunSettings,
    private readonly normalize: ReturnType<typeof resolveSpectrogramSettings>['normalize'],
  ) {
    this.name = `tfjs:${settings.source}`;
  }

  /** Loads the model and runs it once on silence to learn (and check) the pooled output size. */
  static async load(modelPath: string, options: TfjsModelEncoderOptions = {}): Promise<TfjsModelEncoder> {
    const { targetLength, normalize } = resolveSpectrogramSettings(options);
    const layout = options.layout ?? 'btf';
    const pooling = options.pool ?? 'mean-time';
    if (!INPUT_LAYOUTS.includes(layout)) throw new Error(`unknown input layout '${layout}': btf or btf1`);
    if (!OUTPUT_POOLINGS.includes(pooling)) {
      throw new Error(`unknown pooling '${pooling}': ${OUTPUT_POOLINGS.join(', ')}`);
    }
    const model = await loadModel(modelPath);
    const settings: RunSettings = { targetLength, layout, pooling, source: modelPath };
    try {
      const [probe] = await runModel(model, new Float32Array(targetLength * 128), 1, settings);
      return new TfjsModelEncoder(model, probe.length, settings, normalize);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  async embed(clips: ClipInput[]): Promise<Float32Array[]> {
    if (clips.length === 0) return [];
    const { targetLength } = this.settings;
    const fbanks = await fbankBatch(clips, { targetLength, normalize: this.normalize });
    return runModel(this.model, fbanks, clips.length, this.settings);
  }

  dispose(): void {
    this.model.dispose();
  }
}
