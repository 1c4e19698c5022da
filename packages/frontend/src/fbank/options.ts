import type { WindowType } from './window.js';
import { WINDOW_TYPES } from './window.js';

/**
 * Options of `torchaudio.compliance.kaldi.fbank` in camelCase, with torchaudio's defaults (which are Kaldi's,
 * except `energyFloor` 1.0 and `windowType` 'povey' as in torchaudio 0.13). Times are in milliseconds.
 */
export interface KaldiFbankOptions {
  /** Waveform sample rate in Hz (default 16000). */
  sampleFrequency: number;
  /** Frame length in ms (default 25). */
  frameLength: number;
  /** Frame shift in ms (default 10). */
  frameShift: number;
  /** Frame window (default 'povey'). */
  windowType: WindowType;
  /** Constant of the generalized Blackman window (default 0.42). */
  blackmanCoeff: number;
  /** Pre-emphasis x[i] −= c·x[i−1] per frame, in [0, 1] (default 0.97). */
  preemphasisCoefficient: number;
  /** Subtract each frame's mean before anything else (default true). */
  removeDcOffset: boolean;
  /** Standard deviation of Gaussian noise added to every frame sample (default 0 = off). */
  dither: number;
  /**
   * Seed of the dither noise (default 0). torch's RNG cannot be reproduced, so dithered output only matches
   * torchaudio statistically; the same seed always gives the same output, also when streaming.
   */
  ditherSeed: number;
  /** true: only frames that fit entirely; false: reflect the signal at both ends, frames = round(n / shift). */
  snipEdges: boolean;
  /** Add a log-energy column (default false). */
  useEnergy: boolean;
  /** Energy before pre-emphasis and windowing (default true) instead of after. */
  rawEnergy: boolean;
  /** Floor on the energy, absolute, not logged; 0 = none (default 1.0, so log-energy >= 0, as torchaudio). */
  energyFloor: number;
  /** Put the energy column last (true) or first (false, default). */
  htkCompat: boolean;
  /** Lowest filter edge in Hz (default 20). */
  lowFreq: number;
  /** Highest filter edge in Hz; <= 0 means Nyquist + highFreq (default 0). */
  highFreq: number;
  /** Number of triangular mel filters, > 3 (default 23). */
  numMelBins: number;
  /** Zero-pad each frame to the next power of two for the FFT (default true). */
  roundToPowerOfTwo: boolean;
  /** Power spectrum (true, default) or magnitude. */
  usePower: boolean;
  /** Log of the filter energies, floored at float32 epsilon (true, default), or linear energies. */
  useLogFbank: boolean;
  /** Lower VTLN inflection point in Hz (default 100). */
  vtlnLow: number;
  /** Upper VTLN inflection point in Hz; negative means Nyquist + vtlnHigh (default −500). */
  vtlnHigh: number;
  /** VTLN warp factor (default 1 = no warping). */
  vtlnWarp: number;
  /** Subtract the mean of every output column over the whole clip (default false; not streamable). */
  subtractMean: boolean;
  /** Return no frames when the clip is shorter than this many seconds (default 0). */
  minDuration: number;
}

export const KALDI_FBANK_DEFAULTS: Readonly<KaldiFbankOptions> = Object.freeze({
  sampleFrequency: 16000,
  frameLength: 25,
  frameShift: 10,
  windowType: 'povey',
  blackmanCoeff: 0.42,
  preemphasisCoefficient: 0.97,
  removeDcOffset: true,
  dither: 0,
  ditherSeed: 0,
  snipEdges: true,
  useEnergy: false,
  rawEnergy: true,
  energyFloor: 1.0,
  htkCompat: false,
  lowFreq: 20,
  highFreq: 0,
  numMelBins: 23,
  roundToPowerOfTwo: true,
  usePower: true,
  useLogFbank: true,
  vtlnLow: 100,
  vtlnHigh: -500,
  vtlnWarp: 1,
  subtractMean: false,
  minDuration: 0,
});

/** Options with defaults filled in, plus the frame geometry in samples. */
export interface FrameGeometry extends KaldiFbankOptions {
  windowSize: number;
  windowShift: number;
  paddedWindowSize: number;
}

const nextPowerOfTwo = (x: number) => (x <= 1 ? 1 : 2 ** Math.ceil(Math.log2(x)));

export function resolveOptions(options: Partial<KaldiFbankOptions> = {}): FrameGeometry {
  for (const key of Object.keys(options)) {
    if (!(key in KALDI_FBANK_DEFAULTS)) throw new RangeError(`kaldiFbank: unknown option '${key}'`);
  }
  const o: KaldiFbankOptions = { ...KALDI_FBANK_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const expected = typeof KALDI_FBANK_DEFAULTS[key as keyof KaldiFbankOptions];
    if (typeof value !== expected || (expected === 'number' && !Number.isFinite(value))) {
      throw new RangeError(
        `kaldiFbank: option '${key}' must be a ${expected === 'number' ? 'finite number' : expected}`,
      );
    }
    (o as unknown as Record<string, unknown>)[key] = value;
  }
  if (!(o.sampleFrequency > 0)) throw new RangeError('kaldiFbank: sampleFrequency must be greater than zero');
  if (!WINDOW_TYPES.includes(o.windowType)) {
    throw new RangeError(
      `kaldiFbank: unknown windowType '${o.windowType}' (expected ${WINDOW_TYPES.join(', ')})`,
    );
  }
  if (!(o.preemphasisCoefficient >= 0 && o.preemphasisCoefficient <= 1)) {
    throw new RangeError('kaldiFbank: preemphasisCoefficient must be in [0, 1]');
  }
  if (!(o.dither >= 0)) throw new RangeError('kaldiFbank: dither must be >= 0');
  // Same arithmetic as torchaudio: int(sample_frequency * ms * 0.001).
  const windowShift = Math.trunc(o.sampleFrequency * o.frameShift * 0.001);
  const windowSize = Math.trunc(o.sampleFrequency * o.frameLength * 0.001);
  const paddedWindowSize = o.roundToPowerOfTwo ? nextPowerOfTwo(windowSize) : windowSize;
  if (windowSize < 2)
    throw new RangeError(`kaldiFbank: frame of ${windowSize} samples is too short (need >= 2)`);
  if (!(windowShift > 0))
    throw new RangeError(`kaldiFbank: frame shift of ${windowShift} samples must be > 0`);
  if (paddedWindowSize % 2 !== 0) {
    throw new RangeError(
      `kaldiFbank: the FFT size ${paddedWindowSize} must be even; use roundToPowerOfTwo or change frameLength`,
    );
  }
  return { ...o, windowSize, windowShift, paddedWindowSize };
}
