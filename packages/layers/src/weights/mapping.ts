import * as tf from '@tensorflow/tfjs-core';
import type { CnnDecoder } from '../blocks/decoder.js';
import type { ClassificationHead, Linear } from '../blocks/head.js';
import type { NamedWeight, WeightLayout } from '../blocks/params.js';
import type { SpectrogramEncoder } from '../models/encoder.js';
import type { FloatTensor, TensorMap } from './safetensors.js';

/** Our layout → the reference's: the permutation taking our axes to PyTorch's. */
const TO_REFERENCE: Record<Exclude<WeightLayout, 'same'>, number[]> = {
  linear: [1, 0], // [in, out] → [out, in]
  conv: [3, 2, 0, 1], // [kh, kw, in, out] → [out, in, kh, kw]
  depthwise: [2, 3, 0, 1], // [kh, kw, C, 1] → [C, 1, kh, kw]
};

function inversePermutation(perm: number[]): number[] {
  const inverse = new Array<number>(perm.length);
  perm.forEach((axis, i) => {
    inverse[axis] = i;
  });
  return inverse;
}

/** Transposes row-major data of `shape` by `perm` (output axis i = input axis perm[i]); plain loops beat tfjs' cpu transpose. */
function permute(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  const outShape = perm.map((axis) => shape[axis]);
  const outStrides = perm.map((axis) => strides[axis]); // input stride of each output axis
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[source];
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      source += outStrides[axis];
      if (index[axis] < outShape[axis]) break;
      source -= outStrides[axis] * outShape[axis];
      index[axis] = 0;
    }
  }
  return out;
}

/** The reference shape of one of our weights. */
function referenceShape(weight: NamedWeight, isPositionTable: boolean): number[] {
  const shape = weight.variable.shape as number[];
  if (weight.layout === 'same') return isPositionTable ? [1, ...shape] : shape;
  return TO_REFERENCE[weight.layout].map((axis) => shape[axis]);
}

/** `same`-layout tensors may differ by unit axes (the CLS token is [1, 1, D], the position table [1, R, D]). */
function shapesMatch(weight: NamedWeight, got: number[], expected: number[]): boolean {
  if (weight.layout !== 'same')
    return got.length === expected.length && got.every((d, i) => d === expected[i]);
  const squeeze = (s: number[]) => s.filter((d) => d !== 1).join(',');
  return squeeze(got) === squeeze(expected);
}

const isPositions = (weight: NamedWeight) => weight.name.endsWith('fixed_positional_encoder.positions');

/** One component's weights and its key prefix in a checkpoint. */
export interface WeightGroup {
  weights: NamedWeight[];
  prefix: string;
}

export interface AssignOptions {
  /** Named in errors (e.g. the file name). */
  source?: string;
  /** Keys under these prefixes may be left unused (parts of the checkpoint the caller did not ask for). */
  ignorePrefixes?: string[];
}

/**
 * Writes reference tensors into weights. The fixed position table is optional (kept as computed
 * when absent). Throws one error listing every missing, mis-shaped and unknown tensor.
 */
export function assignReferenceTensors(
  groups: WeightGroup[],
  tensors: TensorMap,
  options: AssignOptions = {},
): void {
  const missing: string[] = [];
  const misshaped: string[] = [];
  const used = new Set<string>();
  const writes: Array<[NamedWeight, FloatTensor]> = [];
  for (const { weights, prefix } of groups) {
    for (const weight of weights) {
      const key = `${prefix}${weight.name}`;
      const expected = referenceShape(weight, isPositions(weight));
      const tensor = tensors.get(key);
      if (!tensor) {
        if (!isPositions(weight)) missing.push(`${key} [${expected.join(', ')}]`);
        continue;
      }
      used.add(key);
      if (!shapesMatch(weight, tensor.shape, expected)) {
        misshaped.push(`${key}: expected [${expected.join(', ')}], got [${tensor.shape.join(', ')}]`);
        continue;
      }
      writes.push([weight, tensor]);
    }
  }
  const ignored = options.ignorePrefixes ?? [];
  const unknown = [...tensors.keys()].filter(
    (key) => !used.has(key) && !ignored.some((p) => key.startsWith(p)),
  );
  if (missing.length + misshaped.length + unknown.length > 0) {
    const parts = [
      missing.length ? `missing (${missing.length}): ${missing.join('; ')}` : '',
      misshaped.length ? `wrong shape (${misshaped.length}): ${misshaped.join('; ')}` : '',
      unknown.length ? `unknown (${unknown.length}): ${unknown.join('; ')}` : '',
    ].filter(Boolean);
    throw new Error(`${options.source ?? 'checkpoint'} does not fit the model: ${parts.join(' | ')}`);
  }
  for (const [weight, tensor] of writes) {
    const data =
      weight.layout === 'same'
        ? tensor.data
        : permute(tensor.data, tensor.shape, inversePermutation(TO_REFERENCE[weight.layout]));
    tf.tidy(() => {
      weight.variable.write(tf.tensor(data, weight.variable.shape as number[]));
    });
  }
}

/** Our weights as reference tensors (reference names and layouts) under a prefix. */
export function referenceTensors(groups: WeightGroup[]): TensorMap {
  const out: TensorMap = new Map();
  for (const { weights, prefix } of groups) {
    for (const weight of weights) {
      const shape = weight.variable.shape as number[];
      const data = weight.variable.read().dataSync() as Float32Array;
      out.set(`${prefix}${weight.name}`, {
        shape: referenceShape(weight, isPositions(weight)),
        data:
          weight.layout === 'same'
            ? Float32Array.from(data)
            : permute(data, shape, TO_REFERENCE[weight.layout]),
      });
    }
  }
  return out;
}

/** The parts of a model that a reference checkpoint can hold. */
export interface ModelParts {
  /** The encoder (the student in a pre-training checkpoint). */
  encoder: SpectrogramEncoder;
  /** EMA teacher (`_ema.` keys). */
  teacher?: SpectrogramEncoder;
  /** Pre-training CNN decoder (`modality_encoders.IMAGE.decoder.*`). */
  decoder?: CnnDecoder;
  /** RR projector (`clap_proj.*`). */
  rrProjector?: Linear;
  /** Fine-tuning head (`fc_norm.*`, `head.*`). */
  head?: ClassificationHead;
}

/** `pretraining`: student keys unprefixed + `_ema.` teacher + decoder; `finetuned`: `model.` encoder + head. */
export type CheckpointLayout = 'pretraining' | 'finetuned';

const DECODER = 'modality_encoders.IMAGE.decoder.';

function layoutGroups(
  parts: ModelParts,
  layout: CheckpointLayout,
): { groups: WeightGroup[]; optional: string[] } {
  const groups: WeightGroup[] = [];
  const optional: string[] = [];
  const add = (weights: NamedWeight[] | undefined, prefix: string) => {
    if (weights) groups.push({ weights, prefix });
    else optional.push(prefix);
  };
  if (layout === 'pretraining') {
    groups.push({ weights: parts.encoder.namedWeights(), prefix: '' });
    add(parts.teacher?.namedWeights(), '_ema.');
    add(parts.decoder?.namedWeights(), DECODER);
    add(parts.rrProjector?.namedWeights(), 'clap_proj.');
    if (parts.head) throw new Error('a pre-training checkpoint has no classification head');
  } else {
    groups.push({ weights: parts.encoder.namedWeights(), prefix: 'model.' });
    add(parts.rrProjector?.namedWeights(), 'model.clap_proj.');
    add(parts.head?.namedWeights(), '');
    if (!parts.head) optional.push('fc_norm.', 'head.');
    if (parts.teacher || parts.decoder) throw new Error('a fine-tuned checkpoint has no teacher or decoder');
  }
  return { groups, optional };
}

/** The layout of a reference checkpoint: `finetuned` when its encoder keys carry the `model.` prefix. */
export function checkpointLayout(tensors: TensorMap): CheckpointLayout {
  for (const key of tensors.keys()) if (key.startsWith('model.')) return 'finetuned';
  return 'pretraining';
}

/**
 * Loads a reference checkpoint (as tensors, e.g. from `readSafetensors`) into the given parts.
 * Parts left out (teacher, decoder, RR projector, head) are skipped in the checkpoint; everything else
 * must match exactly. Returns the detected layout.
 */
export function loadCheckpoint(parts: ModelParts, tensors: TensorMap, source?: string): CheckpointLayout {
  const layout = checkpointLayout(tensors);
  const { groups, optional } = layoutGroups(parts, layout);
  assignReferenceTensors(groups, tensors, { source, ignorePrefixes: optional });
  return layout;
}

/** The parts' weights as a reference checkpoint of the given layout (to write with `writeSafetensors`). */
export function checkpointTensors(parts: ModelParts, layout: CheckpointLayout = 'pretraining'): TensorMap {
  return referenceTensors(layoutGroups(parts, layout).groups);
}
