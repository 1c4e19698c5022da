import { SeededRandom } from '../random.js';
import type { Fbank } from '../types.js';
import { RealFft } from './fft.js';
import { WasmFrameKernel } from './kernel/frame-kernel.js';
import type { MelFilterBank } from './mel.js';
import { kaldiMelBanks } from './mel.js';
import type { FrameGeometry, KaldiFbankOptions } from './options.js';
import { resolveOptions } from './options.js';
import { featureWindow } from './window.js';

/** std::numeric_limits<float>::epsilon(): the floor of every log (log(eps) = −15.9424). */
const EPSILON = 1.1920928955078125e-7;

/**
 * Turns one frame of samples into one output row. Everything that depends only on the options (window,
 * FFT tables, mel filters, scratch buffers) is built once, so computing a frame allocates nothing.
 * The arithmetic is float64 on float32 input; torchaudio works in float32, so the log-mel values differ
 * from it by ~1e-5 on average and < 1e-3 at most in the test fixtures (the largest gaps are in filters
 * whose energy is close to torch's float32 rounding noise). With WebAssembly SIMD available, power-of-two
 * FFT sizes without dither run in the kernel (kernel/dsp-kernel.c), which mirrors `compute` below.
 */
export class FbankFrameComputer {
  readonly geometry: FrameGeometry;
  /** Output columns: numMelBins, plus one for the energy when useEnergy. */
  readonly bins: number;
  private readonly window: Float64Array;
  private readonly fft: RealFft;
  private readonly mel: MelFilterBank;
  private readonly frame: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly noise: SeededRandom | null;
  private readonly logEnergyFloor: number;
  private readonly kernel: WasmFrameKernel | null;

  constructor(geometry: FrameGeometry) {
    this.geometry = geometry;
    this.bins = geometry.numMelBins + (geometry.useEnergy ? 1 : 0);
    this.window = featureWindow(geometry.windowType, geometry.windowSize, geometry.blackmanCoeff);
    this.fft = new RealFft(geometry.paddedWindowSize);
    this.mel = kaldiMelBanks({
      numBins: geometry.numMelBins,
      paddedWindowSize: geometry.paddedWindowSize,
      sampleFrequency: geometry.sampleFrequency,
      lowFreq: geometry.lowFreq,
      highFreq: geometry.highFreq,
      vtlnLow: geometry.vtlnLow,
      vtlnHigh: geometry.vtlnHigh,
      vtlnWarp: geometry.vtlnWarp,
    });
    this.frame = new Float64Array(geometry.paddedWindowSize);
    this.spectrum = new Float64Array(geometry.paddedWindowSize / 2 + 1);
    this.noise = geometry.dither !== 0 ? new SeededRandom(geometry.ditherSeed) : null;
    this.logEnergyFloor = geometry.energyFloor === 0 ? -Infinity : Math.log(geometry.energyFloor);
    this.kernel = WasmFrameKernel.create(geometry, this.window, this.fft, this.mel);
  }

  /**
   * Rows of `frames` frames, frame t being `samples[start + t·windowShift ..] − dcOffset`, written to
   * `out[outOffset ..]`. `dcOffset` (a float32 value) is subtracted in float32, like `x - mean` in torch.
   */
  computeFrames(
    samples: Float32Array,
    start: number,
    frames: number,
    out: Float32Array,
    outOffset: number,
    dcOffset = 0,
  ): void {
    if (this.kernel) {
      this.kernel.computeFrames(samples, start, frames, out, outOffset, dcOffset);
      return;
    }
    const shift = this.geometry.windowShift;
    for (let t = 0; t < frames; t++)
      this.compute(samples, start + t * shift, dcOffset, out, outOffset + t * this.bins);
  }

  /** The row of one frame: the TypeScript twin of dsp-kernel.c's process_pair. */
  private compute(
    samples: Float32Array,
    start: number,
    dcOffset: number,
    out: Float32Array,
    outOffset: number,
  ): void {
    const g = this.geometry;
    const size = g.windowSize;
    const frame = this.frame;
    const window = this.window;
    let sum = 0;
    if (this.noise || dcOffset !== 0) {
      for (let i = 0; i < size; i++) {
        let v = dcOffset === 0 ? samples[start + i] : Math.fround(samples[start + i] - dcOffset);
        if (this.noise) v += g.dither * this.noise.normal();
        frame[i] = v;
        sum += v;
      }
    } else {
      for (let i = 0; i < size; i++) {
        const v = samples[start + i];
        frame[i] = v;
        sum += v;
      }
    }
    const mean = g.removeDcOffset ? sum / size : 0;
    // DC removal, raw energy, pre-emphasis (x[i] − c·x[i−1], x[−1] := x[0]) and the window in one backward pass.
    const c = g.preemphasisCoefficient;
    let energy = 0;
    let next = frame[size - 1] - mean;
    for (let i = size - 1; i > 0; i--) {
      const prev = frame[i - 1] - mean;
      energy += next * next;
      frame[i] = (next - c * prev) * window[i];
      next = prev;
    }
    energy += next * next;
    frame[0] = (next - c * next) * window[0];

    let logEnergy = 0;
    if (g.useEnergy) {
      if (!g.rawEnergy) {
        energy = 0;
        for (let i = 0; i < size; i++) energy += frame[i] * frame[i];
      }
      logEnergy = Math.max(Math.log(Math.max(energy, EPSILON)), this.logEnergyFloor);
    }

    const spectrum = this.spectrum;
    this.fft.powerSpectrum(frame, spectrum);
    if (!g.usePower) for (let k = 0; k < spectrum.length; k++) spectrum[k] = Math.sqrt(spectrum[k]);

    let o = outOffset;
    if (g.useEnergy && !g.htkCompat) out[o++] = logEnergy;
    const { offsets, weights } = this.mel;
    for (let m = 0; m < weights.length; m++) {
      const w = weights[m];
      const base = offsets[m];
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k] * spectrum[base + k];
      out[o++] = g.useLogFbank ? Math.log(Math.max(acc, EPSILON)) : acc;
    }
    if (g.useEnergy && g.htkCompat) out[o] = logEnergy;
  }
}

/** `1 + (n − size) // shift` frames fit entirely in n samples (snipEdges), 0 if none. */
export function snippedFrameCount(samples: number, windowSize: number, windowShift: number): number {
  return samples < windowSize ? 0 : 1 + Math.floor((samples - windowSize) / windowShift);
}

/**
 * The signal extended by reflection as Kaldi does with snipEdges false: `pad` samples mirrored at the start
 * (x[pad−1] … x[0], the edge sample repeated) and the reversed signal after the end, cut to `length`.
 */
function reflectPadded(wave: Float32Array, pad: number, length: number): Float32Array {
  const n = wave.length;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const j = i - pad;
    out[i] = j < 0 ? wave[-j - 1] : j < n ? wave[j] : wave[2 * n - 1 - j];
  }
  return out;
}

function subtractColumnMeans(data: Float32Array, frames: number, bins: number): void {
  for (let b = 0; b < bins; b++) {
    let sum = 0;
    for (let t = 0; t < frames; t++) sum += data[t * bins + b];
    const mean = Math.fround(sum / frames);
    for (let t = 0; t < frames; t++) data[t * bins + b] -= mean;
  }
}

/** Frame computers of recently used option sets, so repeated calls skip building the tables. */
const computers = new Map<string, FbankFrameComputer>();
const MAX_CACHED_COMPUTERS = 8;

/** A frame computer for the options; dithering ones are never shared (each call restarts the noise). */
export function frameComputerFor(options: Partial<KaldiFbankOptions>): FbankFrameComputer {
  const geometry = resolveOptions(options);
  if (geometry.dither !== 0) return new FbankFrameComputer(geometry);
  const key = JSON.stringify(geometry);
  let computer = computers.get(key);
  if (!computer) {
    computer = new FbankFrameComputer(geometry);
    if (computers.size >= MAX_CACHED_COMPUTERS) computers.delete(computers.keys().next().value!);
    computers.set(key, computer);
  }
  return computer;
}

/**
 * Log-mel filter bank features of a mono waveform, matching `torchaudio.compliance.kaldi.fbank(wave[None],
 * **options)` (torchaudio 0.13) for every option; see `KaldiFbankOptions`. Returns frames × bins, row-major.
 *
 * Like torchaudio, a waveform shorter than one frame is an error (for snipEdges true and false alike).
 * The window, FFT tables and mel filters of the last few option sets are cached between calls.
 */
export function kaldiFbank(wave: Float32Array, options: Partial<KaldiFbankOptions> = {}): Fbank {
  finiteSum(wave, 'kaldiFbank');
  return kaldiFbankOfOffsetWave(wave, options, 0);
}

/** Sum of the samples in float64 (four partial sums run in parallel); throws on NaN or infinite samples. */
export function finiteSum(wave: Float32Array, caller: string): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const end = wave.length - (wave.length % 4);
  for (let i = 0; i < end; i += 4) {
    a += wave[i];
    b += wave[i + 1];
    c += wave[i + 2];
    d += wave[i + 3];
  }
  for (let i = end; i < wave.length; i++) a += wave[i];
  const sum = a + b + c + d;
  // Float32 samples cannot overflow a float64 sum, so a non-finite sum means a non-finite sample.
  if (!Number.isFinite(sum)) throw new RangeError(`${caller}: the waveform contains NaN or infinite samples`);
  return sum;
}

/** `kaldiFbank(wave − dcOffset)` with the float32 subtraction done per frame, without a shifted copy
 * (the caller checks that the samples are finite). */
export function kaldiFbankOfOffsetWave(
  wave: Float32Array,
  options: Partial<KaldiFbankOptions>,
  dcOffset: number,
): Fbank {
  const computer = frameComputerFor(options);
  const g = computer.geometry;
  const bins = computer.bins;
  const n = wave.length;
  if (n < g.windowSize) {
    throw new RangeError(
      `kaldiFbank: the waveform has ${n} samples, fewer than one ${g.windowSize}-sample frame ` +
        `(${g.frameLength} ms at ${g.sampleFrequency} Hz); torchaudio rejects it too`,
    );
  }
  if (n < g.minDuration * g.sampleFrequency) return { data: new Float32Array(0), frames: 0, bins };
  let source = wave;
  let frames: number;
  if (g.snipEdges) {
    frames = snippedFrameCount(n, g.windowSize, g.windowShift);
  } else {
    frames = Math.floor((n + Math.floor(g.windowShift / 2)) / g.windowShift);
    const pad = Math.floor(g.windowSize / 2) - Math.floor(g.windowShift / 2);
    source = reflectPadded(wave, pad, (frames - 1) * g.windowShift + g.windowSize);
  }
  const data = new Float32Array(frames * bins);
  computer.computeFrames(source, 0, frames, data, 0, Math.fround(dcOffset));
  if (g.subtractMean) subtractColumnMeans(data, frames, bins);
  return { data, frames, bins };
}
