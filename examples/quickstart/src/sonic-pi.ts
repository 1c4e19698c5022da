/**
 * The CC0 recordings of Sonic Pi (`supersonic-scsynth-samples`: drums, loops, ambient textures, tabla, ...) cut
 * into fixed-length windows, as extra unlabeled audio for pre-training.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resample, SeededRandom } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';
import { peakOf } from './level.js';

const require = createRequire(import.meta.url);

/** A window quieter than this (peak) is silence or a fade tail, not worth a clip. */
const SILENT_PEAK = 1e-3;
/** A recording's last, partial window is kept (padded with silence) when it holds at least this share of a window. */
const MIN_TAIL_SHARE = 0.25;

/** The folder of FLAC recordings inside the package. */
export function sonicPiFolder(): string {
  return join(dirname(require.resolve('supersonic-scsynth-samples/package.json')), 'samples');
}

/** The FLAC recordings (the package's one AIFF file is left out: @cat/frontend does not decode AIFF), by name. */
export function sonicPiRecordings(): string[] {
  return readdirSync(sonicPiFolder())
    .filter((name) => name.endsWith('.flac'))
    .sort();
}

/** `count` recordings chosen with `seed` (all of them when `count` is at least their number), in name order. */
export function chooseRecordings(count: number, seed: number): string[] {
  const all = sonicPiRecordings();
  if (count >= all.length) return all;
  return (new SeededRandom(seed).shuffle([...all]) as string[]).slice(0, count).sort();
}

/**
 * One recording as consecutive windows of `windowSeconds` at `sampleRate`, mono. The last partial window is
 * zero-padded (recordings shorter than a window become one padded window); silent windows are dropped.
 */
export async function recordingWindows(
  name: string,
  windowSeconds: number,
  sampleRate: number,
): Promise<Float32Array[]> {
  const audio = await readAudioFile(join(sonicPiFolder(), name));
  const samples = resample(audio.samples, audio.sampleRate, sampleRate);
  const length = Math.round(windowSeconds * sampleRate);
  const windows: Float32Array[] = [];
  for (let start = 0; start < samples.length; start += length) {
    const piece = samples.subarray(start, Math.min(samples.length, start + length));
    if (start > 0 && piece.length < MIN_TAIL_SHARE * length) break;
    const window = new Float32Array(length);
    window.set(piece);
    if (peakOf(window) >= SILENT_PEAK) windows.push(window);
  }
  return windows;
}
