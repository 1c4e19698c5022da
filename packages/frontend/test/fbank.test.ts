import { describe, expect, it } from 'vitest';
import { FbankFrameComputer, kaldiFbank, snippedFrameCount } from '../src/fbank/kaldi.js';
import { setDspKernelEnabled } from '../src/fbank/kernel/dsp-kernel.js';
import { KALDI_FBANK_DEFAULTS, resolveOptions } from '../src/fbank/options.js';
import { CAT_FBANK_OPTIONS } from '../src/fbank/reference.js';
import { camelCaseOptions, compareFbank, loadNpy, manifest } from './fbank-fixtures.js';

const LOG_EPSILON = Math.log(1.1920928955078125e-7);

describe('kaldiFbank matches torchaudio.compliance.kaldi.fbank', () => {
  for (const c of manifest.fbank) {
    it(`${c.name}: ${JSON.stringify(c.options)}`, () => {
      const actual = kaldiFbank(loadNpy(c.input).data, camelCaseOptions(c.options));
      const { max } = compareFbank(actual, loadNpy(c.output));
      // Linear (non-log) filter energies are compared relative to their size.
      const scale = c.options.use_log_fbank === false ? Math.max(...loadNpy(c.output).data) : 1;
      expect(max / scale).toBeLessThanOrEqual(1e-3);
    });
  }
});

describe('the TypeScript frame loop (used without WebAssembly SIMD) matches torchaudio too', () => {
  for (const c of manifest.fbank.filter((c) => c.options.snip_edges !== false && !c.options.subtract_mean)) {
    it(c.name, () => {
      const input = loadNpy(c.input).data;
      setDspKernelEnabled(false);
      const computer = new FbankFrameComputer(resolveOptions(camelCaseOptions(c.options)));
      setDspKernelEnabled(true);
      const { windowSize, windowShift } = computer.geometry;
      const frames = snippedFrameCount(input.length, windowSize, windowShift);
      const data = new Float32Array(frames * computer.bins);
      computer.computeFrames(input, 0, frames, data, 0);
      const expected = loadNpy(c.output);
      const scale = c.options.use_log_fbank === false ? Math.max(...expected.data) : 1;
      expect(compareFbank({ data, frames, bins: computer.bins }, expected).max / scale).toBeLessThanOrEqual(
        1e-3,
      );
      // Both paths compute in float64: they agree far more closely than either agrees with torch.
      const viaKernel = kaldiFbank(input, camelCaseOptions(c.options));
      let maxGap = 0;
      for (let i = 0; i < data.length; i++)
        maxGap = Math.max(maxGap, Math.abs(data[i] - viaKernel.data[i]) / scale);
      expect(maxGap).toBeLessThan(1e-5);
    });
  }
});

describe('the WebAssembly kernel and the TypeScript loop agree on every FFT size', () => {
  // 2- to 1024-point FFTs (n/2 = 1 .. 512: both radix-2-first and pure radix-4 stage plans).
  for (const samples of [2, 4, 8, 16, 64, 200, 1000]) {
    it(`${samples}-sample frames`, () => {
      const options = resolveOptions({
        frameLength: samples / 16,
        frameShift: 1 / 16,
        numMelBins: 4,
        lowFreq: 0,
      });
      const input = new Float32Array(3 * samples + 5);
      for (let i = 0; i < input.length; i++) input[i] = Math.sin(i * 1.3) + ((i * 31) % 7) / 10;
      const frames = snippedFrameCount(input.length, options.windowSize, options.windowShift);
      const viaKernel = new Float32Array(frames * 4);
      new FbankFrameComputer(options).computeFrames(input, 0, frames, viaKernel, 0);
      setDspKernelEnabled(false);
      const viaTypeScript = new Float32Array(frames * 4);
      new FbankFrameComputer(options).computeFrames(input, 0, frames, viaTypeScript, 0);
      setDspKernelEnabled(true);
      for (let i = 0; i < viaKernel.length; i++) expect(viaKernel[i]).toBeCloseTo(viaTypeScript[i], 5);
      // From 8-point FFTs on, the 4 filters cover FFT bins, so the comparison is not only of floors.
      if (samples >= 8) expect(Math.max(...viaKernel)).toBeGreaterThan(LOG_EPSILON + 1);
    });
  }
});

describe('kaldiFbank frames and edge cases', () => {
  it('gives 1 + (n − 400) // 160 frames with the CAT options (10 s → 998)', () => {
    for (const [seconds, frames] of [
      [10, 998],
      [5, 498],
      [1, 98],
    ]) {
      const fbank = kaldiFbank(new Float32Array(16000 * seconds), CAT_FBANK_OPTIONS);
      expect([fbank.frames, fbank.bins, fbank.data.length]).toEqual([frames, 128, frames * 128]);
    }
    expect(kaldiFbank(new Float32Array(400), CAT_FBANK_OPTIONS).frames).toBe(1);
    expect(kaldiFbank(new Float32Array(400), { ...CAT_FBANK_OPTIONS, snipEdges: false }).frames).toBe(3);
  });

  it('floors silence at log(float32 epsilon) = −15.9424', () => {
    const fbank = kaldiFbank(new Float32Array(4000), CAT_FBANK_OPTIONS);
    expect(LOG_EPSILON).toBeCloseTo(-15.9424, 4);
    for (const value of fbank.data) expect(value).toBe(Math.fround(LOG_EPSILON));
  });

  it('rejects a clip shorter than one frame, like torchaudio (for both snipEdges settings)', () => {
    expect(() => kaldiFbank(new Float32Array(399), CAT_FBANK_OPTIONS)).toThrow(
      /399 samples, fewer than one 400-sample frame/,
    );
    expect(() => kaldiFbank(new Float32Array(300), { snipEdges: false })).toThrow(/fewer than one/);
  });

  it('rejects NaN or infinite samples', () => {
    const x = new Float32Array(1600);
    x[777] = Number.NaN;
    expect(() => kaldiFbank(x, CAT_FBANK_OPTIONS)).toThrow(
      /kaldiFbank: the waveform contains NaN or infinite/,
    );
    x[777] = -Infinity;
    expect(() => kaldiFbank(x, CAT_FBANK_OPTIONS)).toThrow(/NaN or infinite/);
  });

  it('returns no frames below minDuration', () => {
    const fbank = kaldiFbank(new Float32Array(8000), { minDuration: 1 });
    expect([fbank.frames, fbank.data.length, fbank.bins]).toEqual([0, 0, 23]);
  });

  it('rejects invalid options with a message naming them', () => {
    const x = new Float32Array(1600);
    expect(() => kaldiFbank(x, { frameLenght: 25 } as never)).toThrow(/unknown option 'frameLenght'/);
    expect(() => kaldiFbank(x, { windowType: 'hann' as never })).toThrow(/windowType 'hann'/);
    expect(() => kaldiFbank(x, { numMelBins: 3 })).toThrow(/numMelBins/);
    expect(() => kaldiFbank(x, { frameLength: Number.NaN })).toThrow(/'frameLength' must be a finite number/);
    expect(() => kaldiFbank(x, { snipEdges: 'no' as never })).toThrow(/'snipEdges' must be a boolean/);
    expect(() => kaldiFbank(x, { lowFreq: 9000 })).toThrow(/lowFreq/);
    expect(() => kaldiFbank(x, { preemphasisCoefficient: 1.5 })).toThrow(/preemphasisCoefficient/);
    // 25.0625 ms = 401 samples: odd FFT size without rounding to a power of two.
    expect(() => kaldiFbank(x, { frameLength: 25.0625, roundToPowerOfTwo: false })).toThrow(/must be even/);
    expect(() => kaldiFbank(x, { vtlnWarp: 1.1, vtlnLow: 10 })).toThrow(/vtlnLow/);
  });

  it('uses torchaudio 0.13 defaults', () => {
    expect(KALDI_FBANK_DEFAULTS).toMatchObject({
      windowType: 'povey',
      numMelBins: 23,
      energyFloor: 1,
      lowFreq: 20,
      highFreq: 0,
      preemphasisCoefficient: 0.97,
      snipEdges: true,
    });
  });
});

describe('kaldiFbank dither', () => {
  const options = {
    dither: 1,
    windowType: 'rectangular',
    preemphasisCoefficient: 0,
    removeDcOffset: false,
  } as const;

  it('is repeatable for a seed and differs between seeds', () => {
    const x = new Float32Array(4000);
    const a = kaldiFbank(x, { ...options, ditherSeed: 7 }).data;
    expect(kaldiFbank(x, { ...options, ditherSeed: 7 }).data).toEqual(a);
    expect(kaldiFbank(x, { ...options, ditherSeed: 8 }).data).not.toEqual(a);
  });

  it('adds white Gaussian noise of the given standard deviation', () => {
    // On silence, E|X_k|² = 400·σ² for every FFT bin, so each linear filter energy averages 400·σ²·Σ weights.
    // Weight sums come from the noise-free bank applied to a flat spectrum: a unit impulse has |X_k|² = 1.
    const sigma = 0.5;
    const noisy = kaldiFbank(new Float32Array(32000), { ...options, dither: sigma, useLogFbank: false });
    const impulse = new Float32Array(400);
    impulse[0] = 1;
    const weightSums = kaldiFbank(impulse, { ...options, dither: 0, useLogFbank: false }).data;
    let ratioSum = 0;
    for (let b = 0; b < noisy.bins; b++) {
      let mean = 0;
      for (let t = 0; t < noisy.frames; t++) mean += noisy.data[t * noisy.bins + b];
      mean /= noisy.frames;
      const ratio = mean / (400 * sigma * sigma * weightSums[b]);
      expect(ratio).toBeGreaterThan(0.7);
      expect(ratio).toBeLessThan(1.3);
      ratioSum += ratio;
    }
    expect(ratioSum / noisy.bins).toBeCloseTo(1, 1);
  });
});
