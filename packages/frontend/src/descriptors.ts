import Meyda, { type MeydaAudioFeature, type MeydaFeaturesObject } from 'meyda';

/** Spectral descriptors taken from meyda as they are, in output order. */
const MEYDA_SCALARS = [
  'spectralFlatness',
  'spectralRolloff',
  'spectralSlope',
  'spectralCrest',
] as const satisfies readonly MeydaAudioFeature[];
/** Computed here from meyda's amplitude spectrum, in one pass (see `spectralMoments`). */
const MOMENT_NAMES = ['spectralCentroid', 'spectralSpread', 'spectralSkewness', 'spectralKurtosis'] as const;

const MFCC_COUNT = 13;
const MEL_BANDS = 26;

/**
 * Names of the per-frame descriptors, in column order (23):
 * `rms` (root mean square of the raw frame), `zcr` (zero crossings per sample of the raw frame),
 * `spectralCentroid` and `spectralSpread` (Hz: mean and standard deviation of frequency weighted by the
 * magnitude spectrum), `spectralSkewness` and `spectralKurtosis` (standardised third and fourth moments,
 * not excess: a flat spectrum has 1.8), `spectralFlatness` (0..1), `spectralRolloff` (Hz, 99 % of the
 * magnitude), `spectralSlope`, `spectralCrest`, `mfcc0`…`mfcc12` (meyda's MFCC: 26 mel bands,
 * log(1 + energy), DCT-II).
 */
export const SPECTRAL_DESCRIPTOR_NAMES: readonly string[] = [
  'rms',
  'zcr',
  ...MOMENT_NAMES,
  ...MEYDA_SCALARS,
  ...Array.from({ length: MFCC_COUNT }, (_, i) => `mfcc${i}`),
];

export interface SpectralDescriptorOptions {
  /** Frame length in ms (default 25, like the fbank). */
  frameLengthMs?: number;
  /** Hop in ms (default 10, like the fbank). */
  frameShiftMs?: number;
}

export interface SpectralDescriptors {
  names: readonly string[];
  /** `frameCount × names.length`, row-major: `frames[t * names.length + k]`. */
  frames: Float32Array;
  frameCount: number;
}

/** The meyda fields we set; meyda is a mutable singleton, so they are restored afterwards. */
const MEYDA_SETTINGS = [
  'bufferSize',
  'sampleRate',
  'windowingFunction',
  'numberOfMFCCCoefficients',
  'melBands',
] as const;

/** Symmetric Hann window (Kaldi's "hanning"), applied to the frame before zero-padding. */
function hannWindow(length: number): Float64Array {
  const window = new Float64Array(length);
  for (let i = 0; i < length; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1));
  return window;
}

/**
 * Centroid, spread, skewness and kurtosis of the magnitude spectrum as a distribution over frequency,
 * from central moments in float64. Done here rather than by meyda because one pass is ~2× faster
 * than meyda's ten `mu()` passes, and meyda's kurtosis formula has a wrong cross term (6·μ1·μ2 where
 * 6·μ1²·μ2 belongs).
 */
function spectralMoments(magnitude: Float32Array, hzPerBin: number, out: Float32Array): void {
  let total = 0;
  let weighted = 0;
  for (let k = 0; k < magnitude.length; k++) {
    total += magnitude[k];
    weighted += k * magnitude[k];
  }
  const centroid = weighted / total;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let k = 0; k < magnitude.length; k++) {
    const d = k - centroid;
    const d2 = d * d;
    m2 += d2 * magnitude[k];
    m3 += d2 * d * magnitude[k];
    m4 += d2 * d2 * magnitude[k];
  }
  m2 /= total;
  out[0] = centroid * hzPerBin;
  out[1] = Math.sqrt(m2) * hzPerBin;
  out[2] = m3 / total / m2 ** 1.5;
  out[3] = m4 / total / (m2 * m2);
}

/**
 * Per-frame spectral descriptors of mono audio ({@link SPECTRAL_DESCRIPTOR_NAMES}). Frames follow the
 * fbank's framing (25 ms every 10 ms, no padding at the edges: `1 + ⌊(N − L) / H⌋` frames, 98 for 1 s at
 * 16 kHz). Each frame is Hann-windowed, zero-padded to the next power of two (400 → 512 at 16 kHz, as
 * meyda needs power-of-two buffers) and analysed by meyda. Descriptors that are undefined for a frame
 * (a silent frame has no spectral shape; a single spectral line has no finite kurtosis) are 0, so the
 * output never contains NaN or Infinity. Deterministic.
 */
export function spectralDescriptors(
  samples: Float32Array,
  sampleRate: number,
  { frameLengthMs = 25, frameShiftMs = 10 }: SpectralDescriptorOptions = {},
): SpectralDescriptors {
  const frameLength = Math.round((sampleRate * frameLengthMs) / 1000);
  const hop = Math.round((sampleRate * frameShiftMs) / 1000);
  if (!(frameLength >= 2 && hop >= 1)) {
    throw new RangeError(
      `spectralDescriptors: ${frameLengthMs} ms frames every ${frameShiftMs} ms at ${sampleRate} Hz are too short`,
    );
  }
  const fftSize = 2 ** Math.ceil(Math.log2(frameLength));
  const hzPerBin = sampleRate / fftSize;
  const frameCount = samples.length < frameLength ? 0 : 1 + Math.floor((samples.length - frameLength) / hop);
  const width = SPECTRAL_DESCRIPTOR_NAMES.length;
  const frames = new Float32Array(frameCount * width);
  const window = hannWindow(frameLength);
  const buffer = new Float32Array(fftSize);
  const features: MeydaAudioFeature[] = ['amplitudeSpectrum', ...MEYDA_SCALARS, 'mfcc'];

  const meyda = Meyda as unknown as Record<string, unknown>;
  const saved = MEYDA_SETTINGS.map((key) => meyda[key]);
  Object.assign(meyda, {
    bufferSize: fftSize,
    sampleRate,
    windowingFunction: 'rect', // the frame is already windowed, the padding must stay zero
    numberOfMFCCCoefficients: MFCC_COUNT,
    melBands: MEL_BANDS,
    // meyda caches these per buffer size only, not per sample rate: force a rebuild.
    melFilterBank: undefined,
    barkScale: undefined,
    chromaFilterBank: undefined,
  });
  try {
    for (let t = 0; t < frameCount; t++) {
      const start = t * hop;
      let energy = 0;
      let windowedEnergy = 0;
      let crossings = 0;
      for (let i = 0; i < frameLength; i++) {
        const x = samples[start + i];
        energy += x * x;
        if (i > 0 && x >= 0 !== samples[start + i - 1] >= 0) crossings++;
        buffer[i] = x * window[i];
        windowedEnergy += buffer[i] * buffer[i];
      }
      const row = frames.subarray(t * width, (t + 1) * width);
      row[0] = Math.sqrt(energy / frameLength);
      row[1] = crossings / (frameLength - 1);
      // An all-zero spectrum has no shape: its descriptors stay 0 (meyda would give 0/0 or a full-band rolloff).
      if (windowedEnergy === 0) continue;
      const result = Meyda.extract(features, buffer) as Pick<
        MeydaFeaturesObject,
        (typeof MEYDA_SCALARS)[number] | 'mfcc' | 'amplitudeSpectrum'
      >;
      spectralMoments(result.amplitudeSpectrum, hzPerBin, row.subarray(2, 2 + MOMENT_NAMES.length));
      const meydaStart = 2 + MOMENT_NAMES.length;
      MEYDA_SCALARS.forEach((name, k) => {
        row[meydaStart + k] = result[name];
      });
      row.set(result.mfcc, meydaStart + MEYDA_SCALARS.length);
      for (let k = 0; k < width; k++) if (!Number.isFinite(row[k])) row[k] = 0;
    }
  } finally {
    MEYDA_SETTINGS.forEach((key, i) => {
      meyda[key] = saved[i];
    });
    Object.assign(meyda, { melFilterBank: undefined, barkScale: undefined, chromaFilterBank: undefined });
  }
  return { names: SPECTRAL_DESCRIPTOR_NAMES, frames, frameCount };
}

/**
 * A fixed-length clip summary: the mean of every descriptor over the frames, then the (population)
 * standard deviation of every descriptor, i.e. `2 × 23 = 46` values laid out as
 * `[mean(rms), mean(zcr), …, mean(mfcc12), std(rms), …, std(mfcc12)]`. Computed in float64.
 * Throws when the clip is shorter than one frame.
 */
export function pooledDescriptors(
  samples: Float32Array,
  sampleRate: number,
  options?: SpectralDescriptorOptions,
): Float32Array {
  const { frames, frameCount, names } = spectralDescriptors(samples, sampleRate, options);
  if (frameCount === 0) {
    throw new RangeError(
      `pooledDescriptors: ${samples.length} samples at ${sampleRate} Hz is shorter than one frame`,
    );
  }
  const width = names.length;
  const pooled = new Float32Array(2 * width);
  for (let k = 0; k < width; k++) {
    let sum = 0;
    for (let t = 0; t < frameCount; t++) sum += frames[t * width + k];
    const mean = sum / frameCount;
    let squaredDeviations = 0;
    for (let t = 0; t < frameCount; t++) squaredDeviations += (frames[t * width + k] - mean) ** 2;
    pooled[k] = mean;
    pooled[width + k] = Math.sqrt(squaredDeviations / frameCount);
  }
  return pooled;
}
