/** Fixture loading shared by the resample/fbank tests (reference outputs of scripts/make-fbank-fixtures.py). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeNpy } from '../src/npy.js';
import type { Fbank } from '../src/types.js';

const FIXTURES = fileURLToPath(new URL('./__fixtures__', import.meta.url));

export interface Manifest {
  resample: { name: string; fromRate: number; toRate: number; input: string; output: string }[];
  fbank: { name: string; input: string; options: Record<string, unknown>; output: string }[];
  reference: { name: string; sampleRate: number; input: string; output: string }[];
  amenInput: string;
}

export const manifest: Manifest = JSON.parse(readFileSync(join(FIXTURES, 'fbank', 'manifest.json'), 'utf8'));

/** A float32 .npy fixture; `path` is relative to __fixtures__/fbank unless it starts with 'audio/'. */
export function loadNpy(path: string): { data: Float32Array; shape: number[] } {
  const file = path.startsWith('audio/') ? join(FIXTURES, path) : join(FIXTURES, 'fbank', path);
  const array = decodeNpy(new Uint8Array(readFileSync(file)), file);
  if (!(array.data instanceof Float32Array)) throw new Error(`${file}: expected float32`);
  return { data: array.data, shape: array.shape };
}

/** A 16-bit PCM mono WAV as soundfile reads it (int16 / 32768). */
export function loadWav16(name: string): { samples: Float32Array; sampleRate: number } {
  const file = join(FIXTURES, 'audio', name);
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sampleRate = 0;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = bytes.toString('latin1', at, at + 4);
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ') {
      if (
        view.getUint16(at + 8, true) !== 1 ||
        view.getUint16(at + 10, true) !== 1 ||
        view.getUint16(at + 22, true) !== 16
      ) {
        throw new Error(`${file}: not 16-bit PCM mono`);
      }
      sampleRate = view.getUint32(at + 12, true);
    } else if (id === 'data') {
      const samples = new Float32Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(at + 8 + 2 * i, true) / 32768;
      return { samples, sampleRate };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

/** torchaudio's snake_case keyword arguments as camelCase option names. */
export function camelCaseOptions(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options).map(([key, value]) => [
      key.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()),
      value,
    ]),
  );
}

/** Largest and mean absolute difference between an Fbank and a [frames, bins] reference array. */
export function compareFbank(actual: Fbank, expected: { data: Float32Array; shape: number[] }) {
  if (actual.frames !== expected.shape[0] || actual.bins !== expected.shape[1]) {
    throw new Error(`shape ${actual.frames}x${actual.bins} != reference ${expected.shape.join('x')}`);
  }
  let max = 0;
  let sum = 0;
  for (let i = 0; i < actual.data.length; i++) {
    const d = Math.abs(actual.data[i] - expected.data[i]);
    sum += d;
    if (d > max || Number.isNaN(d)) max = Number.isNaN(d) ? Infinity : d;
  }
  return { max, mean: sum / actual.data.length };
}
