/**
 * Band-limited resampling that reproduces `torchaudio.functional.resample` (0.13) with its default
 * `sinc_interp_hann` method: a Hann-windowed sinc low-pass at `rolloff · min(from, to) / 2`, truncated after
 * `lowpassFilterWidth` zero crossings, applied as a polyphase FIR on the gcd-reduced rates.
 *
 * Output sample `i·to' + j` (to' = to/gcd, from' = from/gcd) is `Σ_k x[i·from' + k − width] · h_j[k]` with
 * zeros outside the input (torchaudio pads `width` zeros before and `width + from'` after), and the output
 * is cut to `ceil(to' · n / from')` samples, as torchaudio does.
 */

import type { DspKernel } from './fbank/kernel/dsp-kernel.js';
import { claimMemory, dspKernel, Layout } from './fbank/kernel/dsp-kernel.js';

export interface ResampleOptions {
  /** Zero crossings of the sinc kept on each side (torchaudio `lowpass_filter_width`, default 6). */
  lowpassFilterWidth?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency (torchaudio `rolloff`, default 0.99). */
  rolloff?: number;
}

/** A polyphase filter bank: phase j has taps `taps[tapAt[j] .. tapAt[j+1])` from input offset `first[j]`. */
interface PolyphaseFilter {
  fromStep: number;
  toStep: number;
  /** First input index (relative to `i·fromStep − width`) with a non-zero tap, per phase. */
  first: Int32Array;
  tapAt: Int32Array;
  /** The non-zero taps of all phases, rounded to float32 like torchaudio's kernel. */
  taps: Float64Array;
  width: number;
}

const filterCache = new Map<string, PolyphaseFilter>();

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function checkRate(rate: number, name: string): void {
  if (!Number.isInteger(rate) || rate <= 0) {
    throw new RangeError(`resample: ${name} must be a positive integer number of Hz, got ${rate}`);
  }
}

function buildFilter(fromStep: number, toStep: number, lowpassFilterWidth: number, rolloff: number) {
  const baseFreq = Math.min(fromStep, toStep) * rolloff;
  const width = Math.ceil((lowpassFilterWidth * fromStep) / baseFreq);
  const taps = 2 * width + fromStep;
  const scale = baseFreq / fromStep;
  const first = new Int32Array(toStep);
  const tapAt = new Int32Array(toStep + 1);
  const kept: Float32Array[] = [];
  const row = new Float32Array(taps);
  for (let j = 0; j < toStep; j++) {
    // torchaudio builds the phase offset -j/to' in float32 (integer arange divided in the default dtype)
    // and the tap positions in float64; the sum is float64.
    const phase = Math.fround(-j / toStep);
    for (let k = 0; k < taps; k++) {
      let t = (phase + (k - width) / fromStep) * baseFreq;
      t = Math.min(lowpassFilterWidth, Math.max(-lowpassFilterWidth, t));
      const window = Math.cos((t * Math.PI) / lowpassFilterWidth / 2) ** 2;
      const x = t * Math.PI;
      row[k] = (x === 0 ? 1 : Math.sin(x) / x) * (window * scale);
    }
    // Taps beyond the clamp are below float32's range and round to exactly 0: skip them.
    let lo = 0;
    let hi = taps;
    while (lo < hi && row[lo] === 0) lo++;
    while (hi > lo && row[hi - 1] === 0) hi--;
    first[j] = lo;
    kept.push(row.slice(lo, hi));
    tapAt[j + 1] = tapAt[j] + hi - lo;
  }
  const flat = new Float64Array(tapAt[toStep]);
  for (let j = 0; j < toStep; j++) flat.set(kept[j], tapAt[j]);
  return { fromStep, toStep, first, tapAt, taps: flat, width };
}

function filterFor(fromRate: number, toRate: number, options: ResampleOptions): PolyphaseFilter {
  const lowpassFilterWidth = options.lowpassFilterWidth ?? 6;
  const rolloff = options.rolloff ?? 0.99;
  if (!(lowpassFilterWidth > 0)) throw new RangeError('resample: lowpassFilterWidth must be positive');
  if (!(rolloff > 0 && rolloff <= 1)) throw new RangeError('resample: rolloff must be in (0, 1]');
  const divisor = gcd(fromRate, toRate);
  const key = `${fromRate / divisor}:${toRate / divisor}:${lowpassFilterWidth}:${rolloff}`;
  let filter = filterCache.get(key);
  if (!filter) {
    filter = buildFilter(fromRate / divisor, toRate / divisor, lowpassFilterWidth, rolloff);
    filterCache.set(key, filter);
  }
  return filter;
}

/**
 * Resample `x` from `fromRate` to `toRate` Hz (integers), like `torchaudio.functional.resample(x, from, to)`.
 * Returns `x` itself when the rates are equal (as torchaudio does).
 */
export function resample(
  x: Float32Array,
  fromRate: number,
  toRate: number,
  options: ResampleOptions = {},
): Float32Array {
  checkRate(fromRate, 'fromRate');
  checkRate(toRate, 'toRate');
  if (fromRate === toRate) return x;
  const filter = filterFor(fromRate, toRate, options);
  const out = new Float32Array(Math.ceil((filter.toStep * x.length) / filter.fromStep));
  const kernel = dspKernel();
  if (kernel) applyFilterInKernel(kernel, filter, x, out);
  else applyFilter(filter, x, out);
  return out;
}

/** The polyphase FIR in TypeScript (the twin of dsp-kernel.c's resample, used without WebAssembly SIMD). */
function applyFilter(filter: PolyphaseFilter, x: Float32Array, out: Float32Array): void {
  const { fromStep, toStep, first, tapAt, taps, width } = filter;
  const n = x.length;
  for (let o = 0, block = 0; o < out.length; block++) {
    const base = block * fromStep - width;
    for (let j = 0; j < toStep && o < out.length; j++, o++) {
      const start = base + first[j];
      // Taps that would read before or after the signal meet torchaudio's zero padding: skip them.
      const skip = Math.max(0, -start);
      let t = tapAt[j] + skip;
      const tEnd = Math.min(tapAt[j + 1], tapAt[j] + n - start);
      let i = start + skip;
      // Four partial sums: independent additions instead of one long dependency chain.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (; t + 3 < tEnd; t += 4, i += 4) {
        a0 += x[i] * taps[t];
        a1 += x[i + 1] * taps[t + 1];
        a2 += x[i + 2] * taps[t + 2];
        a3 += x[i + 3] * taps[t + 3];
      }
      for (; t < tEnd; t++, i++) a0 += x[i] * taps[t];
      out[o] = a0 + a1 + a2 + a3;
    }
  }
}

/** Outputs per kernel call: bounds the linear memory needed for long signals. */
const OUT_BLOCK = 16384;

/** The polyphase FIR in the WebAssembly kernel, one block of outputs (and the input it reads) at a time. */
function applyFilterInKernel(
  kernel: DspKernel,
  filter: PolyphaseFilter,
  x: Float32Array,
  out: Float32Array,
): void {
  const { fromStep, toStep, first, tapAt, taps, width } = filter;
  const n = x.length;
  const span = 2 * width + fromStep; // input samples under one phase's untrimmed filter
  const layout = new Layout();
  const firstAt = layout.take(4 * toStep);
  const tapAtAt = layout.take(4 * (toStep + 1));
  const tapsAt = layout.take(8 * taps.length);
  const inputAt = layout.take(4 * ((Math.ceil(OUT_BLOCK / toStep) + 1) * fromStep + span));
  const outAt = layout.take(4 * OUT_BLOCK);
  const { base, fresh } = claimMemory(kernel, filter, layout.bytes);
  if (fresh) {
    new Int32Array(kernel.memory.buffer, base + firstAt, toStep).set(first);
    new Int32Array(kernel.memory.buffer, base + tapAtAt, toStep + 1).set(tapAt);
    new Float64Array(kernel.memory.buffer, base + tapsAt, taps.length).set(taps);
  }
  for (let o0 = 0; o0 < out.length; o0 += OUT_BLOCK) {
    const o1 = Math.min(out.length, o0 + OUT_BLOCK);
    const xBegin = Math.min(n, Math.max(0, Math.floor(o0 / toStep) * fromStep - width));
    const xEnd = Math.max(xBegin, Math.min(n, Math.floor((o1 - 1) / toStep) * fromStep - width + span));
    new Float32Array(kernel.memory.buffer, base + inputAt, xEnd - xBegin).set(x.subarray(xBegin, xEnd));
    kernel.resample(
      base + inputAt,
      xBegin,
      xEnd,
      fromStep,
      toStep,
      width,
      base + firstAt,
      base + tapAtAt,
      base + tapsAt,
      o0,
      o1,
      base + outAt,
    );
    out.set(new Float32Array(kernel.memory.buffer, base + outAt, o1 - o0), o0);
  }
}
