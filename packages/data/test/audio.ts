import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** WAV bytes (PCM int16 or IEEE float32, mono), with the header's rate and data size overridable to break it. */
export function wavBytes(
  samples: Float32Array,
  sampleRate: number,
  options: { float?: boolean; dataBytes?: number } = {},
): Uint8Array {
  const bytesPerSample = options.float ? 4 : 2;
  const dataBytes = samples.length * bytesPerSample;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) bytes[at + i] = s.charCodeAt(i);
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, options.float ? 3 : 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample, true);
  view.setUint16(32, bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  text(36, 'data');
  view.setUint32(40, options.dataBytes ?? dataBytes, true);
  samples.forEach((x, i) => {
    if (options.float) view.setFloat32(44 + 4 * i, x, true);
    else view.setInt16(44 + 2 * i, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
  });
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
