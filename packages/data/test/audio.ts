import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodeWav } from '@cat/frontend';

/**
 * WAV bytes (PCM int16 or IEEE float32, mono), with the header's data size overridable and NaN or infinite float
 * samples allowed, to write broken files.
 */
export function wavBytes(
  samples: Float32Array,
  sampleRate: number,
  options: { float?: boolean; dataBytes?: number } = {},
): Uint8Array {
  // As the int16 data always had them: NaN as 0, infinities clipped.
  const finite = samples.map((x) => (Number.isFinite(x) ? x : Number.isNaN(x) ? 0 : Math.sign(x)));
  const bytes = encodeWav(finite, sampleRate, { sampleFormat: options.float ? 'float32' : 'int16' });
  const view = new DataView(bytes.buffer);
  // encodeWav refuses non-finite samples; the undecodable-file cases need them in the data, so they go in after.
  if (options.float) {
    samples.forEach((x, i) => {
      if (!Number.isFinite(x)) view.setFloat32(44 + 4 * i, x, true);
    });
  }
  if (options.dataBytes !== undefined) view.setUint32(40, options.dataBytes, true);
  return bytes;
}

/** A tone with a little deterministic noise: `seconds` long, amplitude 0.3, `frequency` Hz. */
export function tone(seconds: number, sampleRate: number, frequency: number, noiseSeed = 1): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  let state = noiseSeed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const noise = ((state >>> 0) / 2 ** 32 - 0.5) * 0.02;
    out[i] = 0.3 * Math.sin((2 * Math.PI * frequency * i) / sampleRate) + noise;
  }
  return out;
}

export async function writeBytes(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}
