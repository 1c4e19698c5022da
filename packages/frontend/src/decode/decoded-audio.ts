import type { MonoAudio } from '../types.js';

/** Containers `decodeAudio` recognises. Ogg FLAC is reported as `'flac'`. */
export type AudioFormat = 'wav' | 'flac' | 'ogg' | 'mp3';

/**
 * A decoded file, mixed down to mono.
 *
 * `samples` is the average of all channels of the file (`channels` says how many there were), which is
 * what the reference does with `x.mean(-1)`. `warnings` lists recoverable problems (a WAV data chunk
 * longer than the file, decoder errors the codec skipped over); it is empty for a clean file.
 */
export interface DecodedAudio extends MonoAudio {
  channels: number;
  format: AudioFormat;
  warnings: string[];
}

/** An audio file that cannot be decoded. The message names the source and the problem. */
export class AudioDecodeError extends Error {
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: cannot decode audio: ${problem}`);
    this.name = 'AudioDecodeError';
  }
}

/** Averages planar channels into one, summing in float64 (for two channels this equals numpy's float32 mean). */
export function averageChannels(channelData: readonly Float32Array[], frames: number): Float32Array {
  if (channelData.length === 1) return channelData[0].slice(0, frames);
  const mono = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (const channel of channelData) sum += channel[i];
    mono[i] = sum / channelData.length;
  }
  return mono;
}
