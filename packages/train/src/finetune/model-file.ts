import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  checkpointLayout,
  checkpointTensors,
  type EncoderConfig,
  loadCheckpoint,
  MODEL_NAMES,
  type ModelName,
  readSafetensors,
  readSafetensorsMetadata,
  type TensorMap,
  writeSafetensors,
} from '@cat/layers';
import { AudioClassifier } from './classifier.js';

/** Metadata keys of a fine-tuned model file: the encoder configuration and the classes, as JSON. */
const ENCODER_KEY = 'cat_encoder';
const LABELS_KEY = 'cat_labels';

/** The classes of a fine-tuned model: machine keys (MIDs, words) and display names, in head order. */
export interface ModelLabels {
  keys: string[];
  names: string[];
}

/**
 * A model given as a preset name (`cat-base`) or as a JSON file holding an encoder configuration
 * (`{"embedDim": 32, "numHeads": 2, "depth": 2, ...}`), for custom sizes.
 */
export async function readModelSpec(spec: string): Promise<ModelName | EncoderConfig> {
  if ((MODEL_NAMES as readonly string[]).includes(spec)) return spec as ModelName;
  if (!existsSync(spec)) {
    throw new Error(
      `unknown model '${spec}': expected one of ${MODEL_NAMES.join(', ')} or an encoder-config JSON file`,
    );
  }
  let config: unknown;
  try {
    config = JSON.parse(await readFile(spec, 'utf8'));
  } catch (error) {
    throw new Error(`${spec}: not a JSON encoder configuration (${(error as Error).message})`);
  }
  return checkEncoderConfig(config, spec);
}

function checkEncoderConfig(config: unknown, source: string): EncoderConfig {
  const c = config as Partial<EncoderConfig> | null;
  const whole = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (typeof c !== 'object' || c === null || !whole(c.embedDim) || !whole(c.numHeads) || !whole(c.depth)) {
    throw new Error(`${source}: an encoder configuration needs whole numbers embedDim, numHeads and depth`);
  }
  return c as EncoderConfig;
}

/** A fine-tuned model as safetensors (reference `finetuned` layout) with its encoder configuration and classes. */
export function classifierFileBytes(classifier: AudioClassifier, labels?: ModelLabels): Uint8Array {
  const metadata: Record<string, string> = {
    format: 'pt',
    layout: 'finetuned',
    [ENCODER_KEY]: JSON.stringify(classifier.encoderConfig),
  };
  if (labels) {
    if (labels.keys.length !== classifier.numClasses || labels.names.length !== classifier.numClasses) {
      throw new Error(`classifier file: ${labels.keys.length} labels for ${classifier.numClasses} classes`);
    }
    metadata[LABELS_KEY] = JSON.stringify({ keys: labels.keys, names: labels.names });
  }
  return writeSafetensors(checkpointTensors(classifier.parts, 'finetuned'), metadata);
}

export interface ModelFile {
  path: string;
  tensors: TensorMap;
  metadata: Record<string, string>;
}

export async function readModelFile(path: string): Promise<ModelFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(
      `${path}: cannot read the weights (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { path, tensors: readSafetensors(view, path), metadata: readSafetensorsMetadata(view, path) };
}

/** The model a file was saved with (its metadata), when it says. */
export function savedModel(file: ModelFile): EncoderConfig | undefined {
  const text = file.metadata[ENCODER_KEY];
  if (text === undefined) return undefined;
  try {
    return checkEncoderConfig(JSON.parse(text), file.path);
  } catch (error) {
    throw new Error(`${file.path}: bad ${ENCODER_KEY} metadata (${(error as Error).message})`);
  }
}

/** The classes a fine-tuned file was saved with, when it says. */
export function savedLabels(file: ModelFile): ModelLabels | undefined {
  const text = file.metadata[LABELS_KEY];
  if (text === undefined) return undefined;
  const labels = JSON.parse(text) as Partial<ModelLabels>;
  if (!Array.isArray(labels.keys) || !Array.isArray(labels.names)) {
    throw new Error(`${file.path}: bad ${LABELS_KEY} metadata (expected {"keys": [...], "names": [...]})`);
  }
  return { keys: labels.keys, names: labels.names };
}

/** Number of classes of the head in a fine-tuned checkpoint; undefined without a head. */
export function headClasses(tensors: TensorMap): number | undefined {
  return tensors.get('head.weight')?.shape[0];
}

/**
 * Initialises a classifier from a checkpoint: a pre-training one gives the encoder (the student), a fine-tuned one
 * the encoder and, when its class count matches, the head. Returns what was loaded, for the log.
 */
export function initializeClassifier(classifier: AudioClassifier, file: ModelFile): string {
  const layout = checkpointLayout(file.tensors);
  const classes = headClasses(file.tensors);
  if (layout === 'finetuned' && classes === classifier.numClasses) {
    loadCheckpoint(classifier.parts, file.tensors, file.path);
    return `${file.path}: fine-tuned encoder and ${classes}-class head`;
  }
  loadCheckpoint({ encoder: classifier.encoder }, file.tensors, file.path);
  if (layout === 'pretraining') return `${file.path}: pre-trained encoder (student); new head`;
  return `${file.path}: fine-tuned encoder; new head (the file's head has ${classes ?? 'no'} classes, the data ${classifier.numClasses})`;
}

/**
 * A fine-tuned classifier from a model file: the encoder configuration is `model` when given, else the file's own;
 * the head must be in the file.
 */
export async function loadClassifier(
  path: string,
  model?: ModelName | EncoderConfig,
): Promise<{ classifier: AudioClassifier; labels?: ModelLabels }> {
  const file = await readModelFile(path);
  const classes = headClasses(file.tensors);
  if (checkpointLayout(file.tensors) !== 'finetuned' || classes === undefined) {
    throw new Error(`${path}: no classification head (a pre-trained checkpoint?): fine-tune it first`);
  }
  const config = model ?? savedModel(file);
  if (config === undefined)
    throw new Error(`${path}: the file does not name its model; give it (e.g. --model cat-base)`);
  const classifier = new AudioClassifier({ model: config, numClasses: classes });
  try {
    loadCheckpoint(classifier.parts, file.tensors, path);
  } catch (error) {
    classifier.dispose();
    throw error;
  }
  return { classifier, labels: savedLabels(file) };
}
