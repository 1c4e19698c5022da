import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CheckpointLayout,
  checkpointTensors,
  type FloatTensor,
  type ModelParts,
  readSafetensors,
  readSafetensorsMetadata,
  type TensorMap,
  writeSafetensors,
} from '@cat/layers';
import type { AdamW, AdamWState } from '../adamw.js';
import type { CheckpointWriter } from '../checkpoints.js';

export const MODEL_FILE = 'model.safetensors';
const OPTIMIZER_FILE = 'optimizer.safetensors';

/** The model parts as a reference-named safetensors checkpoint (readable by @cat/layers and by PyTorch). */
export function modelCheckpointBytes(parts: ModelParts, layout: CheckpointLayout): Uint8Array {
  return writeSafetensors(checkpointTensors(parts, layout), { format: 'pt', layout });
}

export async function writeModelState(writer: CheckpointWriter, parts: ModelParts, layout: CheckpointLayout) {
  await writer.writeFile(MODEL_FILE, modelCheckpointBytes(parts, layout));
}

/** Tensors of a safetensors file, with errors naming the file. */
export async function readTensors(path: string): Promise<TensorMap> {
  const bytes = await readFile(path);
  return readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** AdamW moments as safetensors (`m.<name>`, `v.<name>`) plus their step counts in the metadata. */
export async function writeOptimizerState(writer: CheckpointWriter, optimizer: AdamW): Promise<void> {
  const state = await optimizer.exportState();
  const tensors: TensorMap = new Map();
  const steps: Record<string, number> = {};
  for (const p of state.parameters) {
    tensors.set(`m.${p.name}`, { data: p.m, shape: p.shape } as FloatTensor);
    tensors.set(`v.${p.name}`, { data: p.v, shape: p.shape } as FloatTensor);
    steps[p.name] = p.step;
  }
  await writer.writeFile(OPTIMIZER_FILE, writeSafetensors(tensors, { steps: JSON.stringify(steps) }));
}

export async function readOptimizerState(checkpointDir: string): Promise<AdamWState> {
  const path = join(checkpointDir, OPTIMIZER_FILE);
  const bytes = await readFile(path);
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors = readSafetensors(view, path);
  const steps = JSON.parse(readSafetensorsMetadata(view, path).steps ?? '{}') as Record<string, number>;
  return {
    parameters: Object.entries(steps).map(([name, step]) => {
      const m = tensors.get(`m.${name}`);
      const v = tensors.get(`v.${name}`);
      if (!m || !v) throw new Error(`${path}: moments of ${name} are missing`);
      return { name, step, shape: m.shape, m: Float32Array.from(m.data), v: Float32Array.from(v.data) };
    }),
  };
}
