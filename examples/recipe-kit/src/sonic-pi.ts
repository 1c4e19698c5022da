/** Real recordings available offline: Sonic Pi's CC0 samples (npm `supersonic-scsynth-samples`). */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resample } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';

const require = createRequire(import.meta.url);

export function sonicPiFolder(): string {
  return join(dirname(require.resolve('supersonic-scsynth-samples/package.json')), 'samples');
}

/** The names of the FLAC recordings (`bd_808`, ...), sorted; the package's one AIFF file is left out. */
export function sonicPiNames(): string[] {
  return readdirSync(sonicPiFolder())
    .filter((name) => name.endsWith('.flac'))
    .map((name) => name.slice(0, -'.flac'.length))
    .sort();
}

/** A recording (`bd_808` → `samples/bd_808.flac`) as mono samples at `sampleRate`. */
export async function sonicPiRecording(name: string, sampleRate: number): Promise<Float32Array> {
  const audio = await readAudioFile(join(sonicPiFolder(), `${name}.flac`));
  return resample(audio.samples, audio.sampleRate, sampleRate);
}

/**
 * `samples` cut or zero-padded to `length`, starting at `offset`, scaled to a peak of `peak` (recordings differ
 * a lot in level; the miniature datasets should not be separable by loudness alone).
 */
export function clip(samples: Float32Array, length: number, offset = 0, peak = 0.5): Float32Array {
  const out = new Float32Array(length);
  out.set(samples.subarray(offset, offset + length));
  let max = 0;
  for (const x of out) max = Math.max(max, Math.abs(x));
  if (max > 0) for (let i = 0; i < out.length; i++) out[i] *= peak / max;
  return out;
}
