import { describe, expect, it } from 'vitest';
import { benchmarkFbank } from '../src/fbank/bench.js';
import { CAT_FBANK_OPTIONS, referenceFbank } from '../src/fbank/reference.js';
import { NORMALIZATION_PRESETS } from '../src/normalize.js';
import { compareFbank, loadNpy, loadWav16, manifest } from './fbank-fixtures.js';

// The reference outputs in __fixtures__/audio come from /work/shared/tools/ref_fbank.py (soundfile →
// torchaudio resample → mean removal → kaldi.fbank), the others from scripts/make-fbank-fixtures.py.
describe('referenceFbank matches the reference front end', () => {
  it('16 kHz WAV: max |diff| <= 1e-3', () => {
    const { samples, sampleRate } = loadWav16('guit_harmonics_16k.wav');
    expect(sampleRate).toBe(16000);
    const { max } = compareFbank(
      referenceFbank(samples, sampleRate),
      loadNpy('audio/guit_harmonics_16k.fbank.npy'),
    );
    expect(max).toBeLessThanOrEqual(1e-3);
  });

  it('32 kHz 10 s WAV (resampled): 998 frames, max <= 1e-2, mean <= 1e-3', () => {
    const { samples, sampleRate } = loadWav16('audioset_clip_32k.wav');
    const fbank = referenceFbank(samples, sampleRate);
    expect(fbank.frames).toBe(998);
    const { max, mean } = compareFbank(fbank, loadNpy('audio/audioset_clip_32k.fbank.npy'));
    expect(max).toBeLessThanOrEqual(1e-2);
    expect(mean).toBeLessThanOrEqual(1e-3);
  });

  it('32 kHz WAV padded to 1024 frames and normalised with the AudioSet statistics', () => {
    const { samples, sampleRate } = loadWav16('audioset_clip_32k.wav');
    const fbank = referenceFbank(samples, sampleRate, {
      targetLength: 1024,
      normalize: NORMALIZATION_PRESETS.audioset,
    });
    const { max, mean } = compareFbank(fbank, loadNpy('audio/audioset_clip_32k.fbank_norm1024.npy'));
    expect(max).toBeLessThanOrEqual(1e-2 / 9.138);
    expect(mean).toBeLessThanOrEqual(1e-3 / 9.138);
    // Padding frames are 0 before normalisation: (0 + 4.268) / 9.138.
    expect(fbank.data[1023 * 128]).toBeCloseTo(0.46706, 5);
  });

  it('44.1 kHz stereo FLAC (decoded and down-mixed by soundfile): max <= 1e-2, mean <= 1e-3', () => {
    const samples = loadNpy(manifest.amenInput).data;
    const { max, mean } = compareFbank(
      referenceFbank(samples, 44100),
      loadNpy('audio/loop_amen_44k_stereo.fbank.npy'),
    );
    expect(max).toBeLessThanOrEqual(1e-2);
    expect(mean).toBeLessThanOrEqual(1e-3);
  });

  for (const c of manifest.reference) {
    it(`${c.sampleRate} Hz input: max <= 1e-2, mean <= 1e-3`, () => {
      const fbank = referenceFbank(loadNpy(c.input).data, c.sampleRate);
      const { max, mean } = compareFbank(fbank, loadNpy(c.output));
      expect(max).toBeLessThanOrEqual(1e-2);
      expect(mean).toBeLessThanOrEqual(1e-3);
    });
  }

  it('uses the CAT call: hanning, 128 bins, energy off, htk layout, 10 ms shift, no dither', () => {
    expect(CAT_FBANK_OPTIONS).toEqual({
      htkCompat: true,
      sampleFrequency: 16000,
      useEnergy: false,
      windowType: 'hanning',
      numMelBins: 128,
      dither: 0,
      frameShift: 10,
    });
  });

  it('rejects NaN samples', () => {
    expect(() => referenceFbank(new Float32Array(16000).fill(Number.NaN), 16000)).toThrow(
      /referenceFbank: .*NaN/,
    );
  });

  it('rejects a clip shorter than one frame after resampling', () => {
    expect(() => referenceFbank(new Float32Array(700), 32000)).toThrow(
      /350 samples, fewer than one 400-sample frame/,
    );
  });
});

describe('benchmarkFbank', () => {
  it('reports consistent timings', () => {
    const result = benchmarkFbank(new Float32Array(16000).fill(0.1), 16000, 2);
    expect(result.msPerClip).toBeGreaterThan(0);
    expect(result.clipsPerSecond).toBeCloseTo(1000 / result.msPerClip, 6);
    expect(result.engine).toBe('wasm-simd');
    expect(() => benchmarkFbank(new Float32Array(16000), 16000, 0)).toThrow(/reps/);
  });
});
