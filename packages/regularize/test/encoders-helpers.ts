import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A mono float32 WAV file. */
export async function writeWav(path: string, samples: Float32Array, sampleRate: number): Promise<void> {
  const bytes = new Uint8Array(44 + 4 * samples.length);
  const view = new DataView(bytes.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) bytes[at + i] = s.charCodeAt(i);
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + 4 * samples.length, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 3, true); // IEEE float
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 4, true);
  view.setUint16(32, 4, true);
  view.setUint16(34, 32, true);
  text(36, 'data');
  view.setUint32(40, 4 * samples.length, true);
  samples.forEach((x, i) => view.setFloat32(44 + 4 * i, x, true));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

/** A chirp plus deterministic noise: different `seed`s give clearly different spectra. */
export function testClip(seconds: number, sampleRate: number, seed: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  let state = (seed * 2654435761) >>> 0 || 1;
  const f0 = 200 + 150 * seed;
  for (let i = 0; i < out.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const t = i / sampleRate;
    const noise = ((state >>> 0) / 2 ** 32 - 0.5) * 0.05 * seed;
    out[i] = 0.3 * Math.sin(2 * Math.PI * (f0 + 400 * t) * t) + noise;
  }
  return out;
}
