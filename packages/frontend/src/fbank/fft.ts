/**
 * Power spectrum of a real frame, `|rfft(x)|²` for bins `0..n/2`, in float64.
 *
 * A real input of even length n is packed as n/2 complex samples `z[k] = x[2k] + i·x[2k+1]`, transformed with
 * one complex FFT of size n/2 and split into the spectrum of x (the "real-input trick"). For n/2 a power of
 * two the complex FFT is an in-place radix-4 decimation-in-time (one radix-2 stage first when log2(n/2) is
 * odd) with the bit reversal folded into the load and all twiddles precomputed; other sizes (only reached
 * with `roundToPowerOfTwo: false`) use a direct O(n²) DFT with a precomputed table.
 * The tables are public so the WebAssembly kernel (kernel/dsp-kernel.c) can run the same transform.
 */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** Bit-reversed position of each packed sample (power-of-two sizes). */
  readonly bitReversed: Int32Array | null;
  /** Radix-4 stages: span L and twiddles [cos, sin] of W^k, W^2k, W^3k (W = e^{-2πi/4L}) for k < L. */
  readonly stages: { span: number; twiddles: Float64Array }[] = [];
  readonly radix2First: boolean;
  /** cos/sin(2πk/n) for the real-input split. */
  readonly splitCos: Float64Array;
  readonly splitSin: Float64Array;
  /** cos/sin(2πk/(n/2)) for the direct DFT (sizes that are not powers of two). */
  private readonly dftCos: Float64Array | null = null;
  private readonly dftSin: Float64Array | null = null;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || size % 2 !== 0) {
      throw new RangeError(`RealFft: size must be an even integer >= 2, got ${size}`);
    }
    this.size = size;
    const half = size / 2;
    this.half = half;
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
    const quarter = Math.floor(half / 2);
    this.splitCos = new Float64Array(quarter + 1);
    this.splitSin = new Float64Array(quarter + 1);
    for (let k = 0; k <= quarter; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    const log2 = Math.log2(half);
    if (Number.isInteger(log2)) {
      this.bitReversed = new Int32Array(half);
      for (let k = 0; k < half; k++) {
        let r = 0;
        for (let b = 0, v = k; b < log2; b++, v >>= 1) r = (r << 1) | (v & 1);
        this.bitReversed[k] = r;
      }
      this.radix2First = log2 % 2 === 1;
      for (let span = this.radix2First ? 2 : 1; span < half; span *= 4) {
        const twiddles = new Float64Array(6 * span);
        for (let k = 0; k < span; k++) {
          for (let m = 1; m <= 3; m++) {
            const angle = (-2 * Math.PI * m * k) / (4 * span);
            twiddles[6 * k + 2 * (m - 1)] = Math.cos(angle);
            twiddles[6 * k + 2 * (m - 1) + 1] = Math.sin(angle);
          }
        }
        this.stages.push({ span, twiddles });
      }
    } else {
      this.bitReversed = null;
      this.radix2First = false;
      this.dftCos = new Float64Array(half);
      this.dftSin = new Float64Array(half);
      for (let k = 0; k < half; k++) {
        this.dftCos[k] = Math.cos((2 * Math.PI * k) / half);
        this.dftSin[k] = Math.sin((2 * Math.PI * k) / half);
      }
    }
  }

  /** Write `|X[k]|²`, k = 0..size/2, of the real frame `input[0..size)` into `out`. */
  powerSpectrum(input: Float64Array, out: Float64Array): void {
    if (this.bitReversed) this.fftPowerOfTwo(input, this.bitReversed);
    else this.directDft(input);
    const re = this.re;
    const im = this.im;
    const half = this.half;
    const r0 = re[0];
    const i0 = im[0];
    out[0] = (r0 + i0) * (r0 + i0);
    out[half] = (r0 - i0) * (r0 - i0);
    // With Z = FFT(z): X[k] = E + W^k·O, X[n/2-k] = conj(E) − conj(W^k)·conj(O) (W = e^{-2πi/n}),
    // E = (Z[k] + conj Z[n/2-k])/2, O = (Z[k] − conj Z[n/2-k])/2i. Terms below are doubled, hence the 1/4.
    const cos = this.splitCos;
    const sin = this.splitSin;
    for (let k = 1, j = half - 1; k <= j; k++, j--) {
      const zr = re[k];
      const zi = im[k];
      const yr = re[j];
      const yi = im[j];
      const er = zr + yr;
      const ei = zi - yi;
      const or = zi + yi;
      const oi = yr - zr;
      const c = cos[k];
      const s = sin[k];
      const p = c * or + s * oi;
      const q = c * oi - s * or;
      const ar = er + p;
      const ai = ei + q;
      const br = er - p;
      const bi = q - ei;
      out[k] = 0.25 * (ar * ar + ai * ai);
      out[j] = 0.25 * (br * br + bi * bi);
    }
  }

  private fftPowerOfTwo(input: Float64Array, bitReversed: Int32Array): void {
    const re = this.re;
    const im = this.im;
    const half = this.half;
    for (let k = 0; k < half; k++) {
      const r = bitReversed[k];
      re[r] = input[2 * k];
      im[r] = input[2 * k + 1];
    }
    if (this.radix2First) {
      for (let b = 0; b < half; b += 2) {
        const ar = re[b];
        const ai = im[b];
        const cr = re[b + 1];
        const ci = im[b + 1];
        re[b] = ar + cr;
        im[b] = ai + ci;
        re[b + 1] = ar - cr;
        im[b + 1] = ai - ci;
      }
    }
    for (const { span, twiddles } of this.stages) {
      const stride = 4 * span;
      if (span === 1) {
        // Unit twiddles: a plain 4-point DFT. Inputs sit in bit-reversed order: Y0, Y2, Y1, Y3.
        for (let i0 = 0; i0 < half; i0 += 4) {
          const y0r = re[i0];
          const y0i = im[i0];
          const y2r = re[i0 + 1];
          const y2i = im[i0 + 1];
          const y1r = re[i0 + 2];
          const y1i = im[i0 + 2];
          const y3r = re[i0 + 3];
          const y3i = im[i0 + 3];
          const ar = y0r + y2r;
          const ai = y0i + y2i;
          const br = y0r - y2r;
          const bi = y0i - y2i;
          const cr = y1r + y3r;
          const ci = y1i + y3i;
          const dr = y1r - y3r;
          const di = y1i - y3i;
          re[i0] = ar + cr;
          im[i0] = ai + ci;
          re[i0 + 2] = ar - cr;
          im[i0 + 2] = ai - ci;
          re[i0 + 1] = br + di;
          im[i0 + 1] = bi - dr;
          re[i0 + 3] = br - di;
          im[i0 + 3] = bi + dr;
        }
        continue;
      }
      for (let k = 0; k < span; k++) {
        const w1r = twiddles[6 * k];
        const w1i = twiddles[6 * k + 1];
        const w2r = twiddles[6 * k + 2];
        const w2i = twiddles[6 * k + 3];
        const w3r = twiddles[6 * k + 4];
        const w3i = twiddles[6 * k + 5];
        for (let i0 = k; i0 < half; i0 += stride) {
          const i1 = i0 + span;
          const i2 = i1 + span;
          const i3 = i2 + span;
          // t1 = W^k·Y1 (at i2), t2 = W^2k·Y2 (at i1), t3 = W^3k·Y3 (at i3).
          const x1r = re[i2];
          const x1i = im[i2];
          const x2r = re[i1];
          const x2i = im[i1];
          const x3r = re[i3];
          const x3i = im[i3];
          const t1r = x1r * w1r - x1i * w1i;
          const t1i = x1r * w1i + x1i * w1r;
          const t2r = x2r * w2r - x2i * w2i;
          const t2i = x2r * w2i + x2i * w2r;
          const t3r = x3r * w3r - x3i * w3i;
          const t3i = x3r * w3i + x3i * w3r;
          const y0r = re[i0];
          const y0i = im[i0];
          const ar = y0r + t2r;
          const ai = y0i + t2i;
          const br = y0r - t2r;
          const bi = y0i - t2i;
          const cr = t1r + t3r;
          const ci = t1i + t3i;
          const dr = t1r - t3r;
          const di = t1i - t3i;
          re[i0] = ar + cr;
          im[i0] = ai + ci;
          re[i2] = ar - cr;
          im[i2] = ai - ci;
          re[i1] = br + di;
          im[i1] = bi - dr;
          re[i3] = br - di;
          im[i3] = bi + dr;
        }
      }
    }
  }

  private directDft(input: Float64Array): void {
    const half = this.half;
    const cos = this.dftCos!;
    const sin = this.dftSin!;
    for (let k = 0; k < half; k++) {
      let sr = 0;
      let si = 0;
      for (let j = 0, phase = 0; j < half; j++, phase = (phase + k) % half) {
        const zr = input[2 * j];
        const zi = input[2 * j + 1];
        // z · e^{-2πi·jk/half}
        sr += zr * cos[phase] + zi * sin[phase];
        si += zi * cos[phase] - zr * sin[phase];
      }
      this.re[k] = sr;
      this.im[k] = si;
    }
  }
}
