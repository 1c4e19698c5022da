import { parseLabelList } from '@cat/data';
import {
  checkpointLayout,
  type EncoderConfig,
  FeatureExtractor,
  loadCheckpoint,
  MODEL_NAMES,
  type ModelName,
  modelPreset,
  readSafetensors,
  readSafetensorsMetadata,
  type TensorMap,
} from '@cat/layers';
import { AudioClassifier } from '@cat/train';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The model the page runs: an encoder alone (embedding view) or a fine-tuned classifier (top labels).
 * Both give the final CLS embedding of a normalised fbank window; the classifier also gives class scores.
 */
export type PageModel = EncoderModel | ClassifierModel;

interface ModelBase {
  /** One line for the page: which model, which weights, and whether it is trained. */
  description: string;
  /** True for a random initialisation: the numbers then show the pipeline, not what the sound is. */
  untrained: boolean;
  dispose(): void;
}

export interface EncoderModel extends ModelBase {
  kind: 'encoder';
  extractor: FeatureExtractor;
}

export interface ClassifierModel extends ModelBase {
  kind: 'classifier';
  classifier: AudioClassifier;
  labels: { keys: readonly string[]; names: readonly string[] };
}

/** What one window gives: the CLS embedding and, with a classifier, sigmoid class scores. */
export interface WindowOutput {
  cls: Float32Array;
  scores?: Float32Array;
}

/** Metadata keys written by `@cat/train`'s fine-tuned model files (`classifierFileBytes`). */
const ENCODER_KEY = 'cat_encoder';
const LABELS_KEY = 'cat_labels';

/** A preset with a random initialisation from `seed` (the same weights as `cat-audio embed --init-seed`). */
export function seededModel(name: ModelName, seed: number): EncoderModel {
  const extractor = new FeatureExtractor({ model: name, seed });
  return {
    kind: 'encoder',
    extractor,
    untrained: true,
    description: `${name}, random initialisation (seed ${seed}): UNTRAINED, the embedding shows the pipeline works, not what the sound is`,
    dispose: () => extractor.dispose(),
  };
}

/**
 * The preset whose shapes a checkpoint has: family from its local encoder (CAT's multi-resolution
 * `conv_blocks` or EAT's `local_encoder`), width and depth from the transformer blocks. Undefined when
 * no preset fits (a custom size: the file must then name its encoder in its metadata).
 */
export function guessPreset(tensors: TensorMap): ModelName | undefined {
  const prefix = checkpointLayout(tensors) === 'finetuned' ? 'model.' : '';
  const qkv = tensors.get(`${prefix}blocks.0.attn.qkv.weight`);
  if (!qkv) return undefined;
  let depth = 0;
  const block = new RegExp(`^${prefix.replace('.', '\\.')}blocks\\.(\\d+)\\.`);
  for (const key of tensors.keys()) {
    const match = block.exec(key);
    if (match) depth = Math.max(depth, Number(match[1]) + 1);
  }
  const multiResolution = [...tensors.keys()].some((key) => key.includes('.conv_blocks.'));
  return MODEL_NAMES.find((name) => {
    const encoder = modelPreset(name).encoder;
    return (
      encoder.embedDim === qkv.shape[1] &&
      encoder.depth === depth &&
      (encoder.multiResolution != null) === multiResolution
    );
  });
}

function parseJsonMetadata(metadata: Record<string, string>, key: string, source: string): unknown {
  const text = metadata[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: bad ${key} metadata (${(error as Error).message})`);
  }
}

/** The encoder a file names in its metadata, else the preset its shapes fit, else the page's choice. */
function encoderOf(
  tensors: TensorMap,
  metadata: Record<string, string>,
  source: string,
  fallback: ModelName,
): { model: ModelName | EncoderConfig; how: string } {
  const saved = parseJsonMetadata(metadata, ENCODER_KEY, source) as Partial<EncoderConfig> | undefined;
  if (saved !== undefined) {
    const whole = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
    if (!whole(saved.embedDim) || !whole(saved.numHeads) || !whole(saved.depth)) {
      throw new Error(`${source}: ${ENCODER_KEY} metadata needs whole numbers embedDim, numHeads and depth`);
    }
    return {
      model: saved as EncoderConfig,
      how: `encoder from the file (${saved.embedDim} wide, depth ${saved.depth})`,
    };
  }
  const guess = guessPreset(tensors);
  if (guess) return { model: guess, how: `${guess} (from the checkpoint's shapes)` };
  return { model: fallback, how: `${fallback} (chosen on the page; the checkpoint's shapes fit no preset)` };
}

/**
 * A model from a user's safetensors file: a fine-tuned checkpoint (`model.` keys and a `head`) becomes a
 * classifier, anything else an encoder (a pre-training checkpoint's student). `audiosetLabels` is asked
 * for only when a 527-class head comes without its own class names.
 */
export async function modelFromSafetensors(
  bytes: Uint8Array,
  source: string,
  fallback: ModelName,
  audiosetLabels: () => Promise<string>,
): Promise<PageModel> {
  const tensors = readSafetensors(bytes, source);
  const metadata = readSafetensorsMetadata(bytes, source);
  const { model, how } = encoderOf(tensors, metadata, source, fallback);
  const head = tensors.get('head.weight');
  if (checkpointLayout(tensors) === 'finetuned' && head) {
    const numClasses = head.shape[0];
    const labels = await labelsOf(metadata, source, numClasses, audiosetLabels);
    const classifier = new AudioClassifier({ model, numClasses });
    try {
      // loadCheckpoint lists every missing, unknown or mis-shaped tensor in one error naming the file.
      loadCheckpoint(classifier.parts, tensors, source);
    } catch (error) {
      classifier.dispose();
      throw error;
    }
    return {
      kind: 'classifier',
      classifier,
      labels,
      untrained: false,
      description: `${source}: fine-tuned ${how}, ${numClasses}-class head`,
      dispose: () => classifier.dispose(),
    };
  }
  const extractor = new FeatureExtractor({ model, weights: tensors, weightsSource: source });
  return {
    kind: 'encoder',
    extractor,
    untrained: false,
    description: `${source}: ${how}, ${checkpointLayout(tensors) === 'finetuned' ? 'fine-tuned encoder without a head' : 'pre-trained student'}`,
    dispose: () => extractor.dispose(),
  };
}

async function labelsOf(
  metadata: Record<string, string>,
  source: string,
  numClasses: number,
  audiosetLabels: () => Promise<string>,
): Promise<{ keys: readonly string[]; names: readonly string[] }> {
  const saved = parseJsonMetadata(metadata, LABELS_KEY, source) as
    | { keys?: unknown; names?: unknown }
    | undefined;
  if (saved !== undefined) {
    if (!Array.isArray(saved.keys) || !Array.isArray(saved.names) || saved.names.length !== numClasses) {
      throw new Error(
        `${source}: ${LABELS_KEY} metadata should hold {"keys": [...], "names": [...]} for ${numClasses} classes`,
      );
    }
    return { keys: saved.keys.map(String), names: saved.names.map(String) };
  }
  if (numClasses === 527) return parseLabelList(await audiosetLabels(), 'class_labels_indices.csv');
  const keys = Array.from({ length: numClasses }, (_, k) => `class ${k}`);
  return { keys, names: keys };
}

/** Runs one normalised fbank window [frames, 128] through the model. */
export function runWindow(model: PageModel, window: Float32Array, frames: number): WindowOutput {
  if (model.kind === 'encoder') return { cls: model.extractor.embed(window, 'utterance').data };
  return tf.tidy(() => {
    const { cls } = model.classifier.encoder.encode(tf.tensor3d(window, [1, frames, window.length / frames]));
    const scores = tf.sigmoid(model.classifier.head.apply(cls) as tf.Tensor);
    return { cls: cls.dataSync() as Float32Array, scores: scores.dataSync() as Float32Array };
  });
}
