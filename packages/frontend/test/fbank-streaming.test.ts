import { describe, expect, it } from 'vitest';
import { kaldiFbank } from '../src/fbank/kaldi.js';
import { CAT_FBANK_OPTIONS, referenceFbank } from '../src/fbank/reference.js';
import { StreamingFbank } from '../src/fbank/streaming.js';
import { SeededRandom } from '../src/random.js';
import type { Fbank } from '../src/types.js';
import { loadNpy, manifest } from './fbank-fixtures.js';

/** Push `wave` in random chunks (0 .. maxChunk samples) and concatenate every returned frame. */
function streamInChunks(stream: StreamingFbank, wave: Float32Array, maxChunk: number, seed: number): Fbank {
  const random = new SeededRandom(seed);
  const parts: Float32Array[] = [];
  let frames = 0;
  for (let at = 0; at < wave.length; ) {
    const size = Math.min(wave.length - at, random.int(maxChunk + 1));
    const out = stream.push(wave.subarray(at, at + size));
    expect(out.data.length).toBe(out.frames * stream.bins);
    parts.push(out.data);
    frames += out.frames;
    at += size;
  }
  const tail = stream.flush();
  expect(tail.frames).toBe(0);
  const data = new Float32Array(frames * stream.bins);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return { data, frames, bins: stream.bins };
}

describe('StreamingFbank', () => {
  const guitar = loadNpy('inputs/guitar_16k.npy').data;

  it('gives exactly the frames of the whole clip for any chunking', () => {
    const whole = kaldiFbank(guitar, CAT_FBANK_OPTIONS);
    const stream = new StreamingFbank(CAT_FBANK_OPTIONS);
    for (const [maxChunk, seed] of [
      [37, 2],
      [160, 3],
      [999, 4],
      [30000, 5],
    ]) {
      const streamed = streamInChunks(stream, guitar, maxChunk, seed);
      expect(streamed.frames).toBe(whole.frames);
      expect(streamed.data).toEqual(whole.data);
    }
    // Sample by sample (and empty chunks) on the first 0.2 s.
    const start = guitar.subarray(0, 3200);
    expect(streamInChunks(stream, start, 1, 1).data).toEqual(kaldiFbank(start, CAT_FBANK_OPTIONS).data);
  });

  it('also with energy, another window and dither (same seed)', () => {
    const options = {
      useEnergy: true,
      windowType: 'povey',
      dither: 0.01,
      ditherSeed: 3,
      numMelBins: 40,
    } as const;
    const whole = kaldiFbank(guitar, options);
    const streamed = streamInChunks(new StreamingFbank(options), guitar, 500, 9);
    expect(streamed.data).toEqual(whole.data);
  });

  it('reproduces the reference pipeline when the clip mean is given as dcOffset', () => {
    const wave = loadNpy(manifest.fbank[0].input).data;
    let sum = 0;
    for (const v of wave) sum += v;
    const stream = new StreamingFbank({ ...CAT_FBANK_OPTIONS, dcOffset: sum / wave.length });
    expect(streamInChunks(stream, wave, 4000, 11).data).toEqual(referenceFbank(wave, 16000).data);
  });

  it('returns no frames until a whole frame has arrived', () => {
    const stream = new StreamingFbank(CAT_FBANK_OPTIONS);
    expect(stream.push(new Float32Array(399)).frames).toBe(0);
    expect(stream.push(new Float32Array(1)).frames).toBe(1);
    expect(stream.push(new Float32Array(159)).frames).toBe(0);
    expect(stream.push(new Float32Array(161)).frames).toBe(2);
  });

  it('rejects options that need the whole clip', () => {
    expect(() => new StreamingFbank({ snipEdges: false })).toThrow(/snipEdges/);
    expect(() => new StreamingFbank({ subtractMean: true })).toThrow(/subtractMean/);
    expect(() => new StreamingFbank().push(new Float32Array([0, Number.NaN]))).toThrow(
      /StreamingFbank.push: .*NaN/,
    );
  });
});
