/*
 * WebAssembly SIMD kernels of the front end (built by scripts/build-dsp-kernel.sh into dsp-kernel.wasm.ts):
 *
 * - fbank_configure/fbank_compute: kaldiFbank's frame loop. It computes what FbankFrameComputer.compute
 *   does in TypeScript, in float64, on two frames at once (one per f64x2 lane): DC removal, raw energy,
 *   pre-emphasis, window, power-of-two real FFT (radix-4 DIT on n/2 complex points + real-input split),
 *   mel filters; then the log of the float32-rounded filter energies in float32, four at a time (torchaudio
 *   also takes the log in float32; the TypeScript path rounds a float64 log instead: they differ by an ulp).
 * - resample: the polyphase FIR of resample.ts, two taps per f64x2.
 *
 * All tables (window, bit reversal, twiddles, mel weights, filter taps) are computed by the TypeScript side
 * and written into linear memory. There is no libc: log() is a local polynomial.
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef v128_t f64x2;

enum { REMOVE_DC = 1, USE_ENERGY = 2, RAW_ENERGY = 4, HTK_COMPAT = 8, USE_POWER = 16, USE_LOG = 32 };

static int size, shift, half, num_mel, num_stages, radix2_first, flags;
static double preemph, log_energy_floor;
static const double *window;
static const int32_t *bit_reversed;
static const int32_t *stage_span;
static const double *twiddles;
static const double *split_cos, *split_sin;
static const int32_t *mel_offset, *mel_length;
static const double *mel_weights;
static f64x2 *frame, *re, *im, *spectrum, *filter_energy;

#define SPLAT(x) wasm_f64x2_splat(x)
#define ADD wasm_f64x2_add
#define SUB wasm_f64x2_sub
#define MUL wasm_f64x2_mul

void fbank_configure(int frame_size, int frame_shift, int padded_size, int mel_bins, int flag_bits,
                     double preemphasis, double energy_floor_log, const double *window_table,
                     const int32_t *bit_reversed_table, int stages, const int32_t *spans, const double *twiddle_table,
                     int first_stage_radix2, const double *cos_table, const double *sin_table, const int32_t *offsets,
                     const int32_t *lengths, const double *weights, f64x2 *scratch) {
  size = frame_size;
  shift = frame_shift;
  half = padded_size / 2;
  num_mel = mel_bins;
  flags = flag_bits;
  preemph = preemphasis;
  log_energy_floor = energy_floor_log;
  window = window_table;
  bit_reversed = bit_reversed_table;
  num_stages = stages;
  stage_span = spans;
  twiddles = twiddle_table;
  radix2_first = first_stage_radix2;
  split_cos = cos_table;
  split_sin = sin_table;
  mel_offset = offsets;
  mel_length = lengths;
  mel_weights = weights;
  frame = scratch;
  re = frame + padded_size;
  im = re + half;
  spectrum = im + half;
  filter_energy = spectrum + half + 1;
  // The zero padding after the frame is never written, so clear it once here.
  for (int i = 0; i < padded_size; i++) frame[i] = SPLAT(0);
}

/* Natural log of positive normal numbers: x = 2^e·m, m in [√½, √2), log m = 2·atanh(s), s = (m−1)/(m+1),
 * as the series 2s·(1 + s²/3 + … + s¹⁰/11) with s² <= 0.0295: absolute error < 2e-11, far below the
 * float32 rounding of the result. */
static f64x2 log_f64x2(f64x2 x) {
  v128_t exponent = wasm_i64x2_sub(wasm_u64x2_shr(x, 52), wasm_i64x2_splat(1023));
  f64x2 m = wasm_v128_or(wasm_v128_and(x, wasm_i64x2_splat(0x000FFFFFFFFFFFFFLL)),
                         wasm_i64x2_splat(0x3FF0000000000000LL));
  v128_t big = wasm_f64x2_gt(m, SPLAT(1.4142135623730951));
  m = wasm_v128_bitselect(MUL(m, SPLAT(0.5)), m, big);
  exponent = wasm_i64x2_sub(exponent, big); /* big lanes are −1 */
  f64x2 e = wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(exponent, exponent, 0, 2, 0, 2));
  f64x2 s = wasm_f64x2_div(SUB(m, SPLAT(1)), ADD(m, SPLAT(1)));
  f64x2 z = MUL(s, s);
  f64x2 p = ADD(SPLAT(1.0 / 9), MUL(z, SPLAT(1.0 / 11)));
  p = ADD(SPLAT(1.0 / 7), MUL(z, p));
  p = ADD(SPLAT(1.0 / 5), MUL(z, p));
  p = ADD(SPLAT(1.0 / 3), MUL(z, p));
  p = ADD(SPLAT(1), MUL(z, p));
  return ADD(MUL(e, SPLAT(0.6931471805599453)), MUL(ADD(s, s), p));
}

/* The same for float32 lanes (four values at once): the filter energies are rounded to float32 before their
 * log, as in torchaudio. Series to s⁸/9: absolute error < 1e-9, below float32 resolution. */
static v128_t log_f32x4(v128_t x) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  v128_t exponent = wasm_i32x4_sub(wasm_u32x4_shr(x, 23), wasm_i32x4_splat(127));
  v128_t m = wasm_v128_or(wasm_v128_and(x, wasm_i32x4_splat(0x007FFFFF)), wasm_i32x4_splat(0x3F800000));
  v128_t big = wasm_f32x4_gt(m, wasm_f32x4_splat(1.41421356f));
  m = wasm_v128_bitselect(wasm_f32x4_mul(m, wasm_f32x4_splat(0.5f)), m, big);
  exponent = wasm_i32x4_sub(exponent, big); /* big lanes are −1 */
  v128_t e = wasm_f32x4_convert_i32x4(exponent);
  v128_t s = wasm_f32x4_div(wasm_f32x4_sub(m, one), wasm_f32x4_add(m, one));
  v128_t z = wasm_f32x4_mul(s, s);
  v128_t p = wasm_f32x4_add(wasm_f32x4_splat(1.0f / 7), wasm_f32x4_mul(z, wasm_f32x4_splat(1.0f / 9)));
  p = wasm_f32x4_add(wasm_f32x4_splat(1.0f / 5), wasm_f32x4_mul(z, p));
  p = wasm_f32x4_add(wasm_f32x4_splat(1.0f / 3), wasm_f32x4_mul(z, p));
  p = wasm_f32x4_add(one, wasm_f32x4_mul(z, p));
  /* ln 2 = hi + lo with hi exact in 16 bits, so e·hi is exact. */
  v128_t tail = wasm_f32x4_add(wasm_f32x4_mul(e, wasm_f32x4_splat(1.4286068203e-6f)),
                               wasm_f32x4_mul(wasm_f32x4_add(s, s), p));
  return wasm_f32x4_add(wasm_f32x4_mul(e, wasm_f32x4_splat(0.693145751953125f)), tail);
}

/* The packed sample z[k] = frame[2k] + i·frame[2k+1] that the DIT's bit-reversed order puts at position i
 * (bit reversal is its own inverse). The first stage reads through it instead of permuting in a pass. */
#define PACKED_RE(i) frame[2 * bit_reversed[i]]
#define PACKED_IM(i) frame[2 * bit_reversed[i] + 1]

static void fft_power(void) {
  if (half == 1) {
    re[0] = frame[0];
    im[0] = frame[1];
  }
  if (radix2_first) {
    for (int b = 0; b < half; b += 2) {
      f64x2 ar = PACKED_RE(b), ai = PACKED_IM(b), cr = PACKED_RE(b + 1), ci = PACKED_IM(b + 1);
      re[b] = ADD(ar, cr);
      im[b] = ADD(ai, ci);
      re[b + 1] = SUB(ar, cr);
      im[b + 1] = SUB(ai, ci);
    }
  }
  const double *tw = twiddles;
  for (int s = 0; s < num_stages; s++) {
    int span = stage_span[s];
    int stride = 4 * span;
    if (span == 1) {
      /* The first stage when log2(n/2) is even. Unit twiddles: a plain 4-point DFT of Y0, Y2, Y1, Y3. */
      for (int i0 = 0; i0 < half; i0 += 4) {
        f64x2 y0r = PACKED_RE(i0), y0i = PACKED_IM(i0), y2r = PACKED_RE(i0 + 1), y2i = PACKED_IM(i0 + 1);
        f64x2 y1r = PACKED_RE(i0 + 2), y1i = PACKED_IM(i0 + 2), y3r = PACKED_RE(i0 + 3), y3i = PACKED_IM(i0 + 3);
        f64x2 ar = ADD(y0r, y2r), ai = ADD(y0i, y2i), br = SUB(y0r, y2r), bi = SUB(y0i, y2i);
        f64x2 cr = ADD(y1r, y3r), ci = ADD(y1i, y3i), dr = SUB(y1r, y3r), di = SUB(y1i, y3i);
        re[i0] = ADD(ar, cr);
        im[i0] = ADD(ai, ci);
        re[i0 + 2] = SUB(ar, cr);
        im[i0 + 2] = SUB(ai, ci);
        re[i0 + 1] = ADD(br, di);
        im[i0 + 1] = SUB(bi, dr);
        re[i0 + 3] = SUB(br, di);
        im[i0 + 3] = ADD(bi, dr);
      }
      tw += 6;
      continue;
    }
    for (int k = 0; k < span; k++, tw += 6) {
      f64x2 w1r = SPLAT(tw[0]), w1i = SPLAT(tw[1]), w2r = SPLAT(tw[2]), w2i = SPLAT(tw[3]);
      f64x2 w3r = SPLAT(tw[4]), w3i = SPLAT(tw[5]);
      for (int i0 = k; i0 < half; i0 += stride) {
        int i1 = i0 + span, i2 = i1 + span, i3 = i2 + span;
        /* Bit-reversed order: Y0 at i0, Y2 at i1, Y1 at i2, Y3 at i3. */
        f64x2 x1r = re[i2], x1i = im[i2], x2r = re[i1], x2i = im[i1], x3r = re[i3], x3i = im[i3];
        f64x2 t1r = SUB(MUL(x1r, w1r), MUL(x1i, w1i)), t1i = ADD(MUL(x1r, w1i), MUL(x1i, w1r));
        f64x2 t2r = SUB(MUL(x2r, w2r), MUL(x2i, w2i)), t2i = ADD(MUL(x2r, w2i), MUL(x2i, w2r));
        f64x2 t3r = SUB(MUL(x3r, w3r), MUL(x3i, w3i)), t3i = ADD(MUL(x3r, w3i), MUL(x3i, w3r));
        f64x2 y0r = re[i0], y0i = im[i0];
        f64x2 ar = ADD(y0r, t2r), ai = ADD(y0i, t2i), br = SUB(y0r, t2r), bi = SUB(y0i, t2i);
        f64x2 cr = ADD(t1r, t3r), ci = ADD(t1i, t3i), dr = SUB(t1r, t3r), di = SUB(t1i, t3i);
        re[i0] = ADD(ar, cr);
        im[i0] = ADD(ai, ci);
        re[i2] = SUB(ar, cr);
        im[i2] = SUB(ai, ci);
        re[i1] = ADD(br, di);
        im[i1] = SUB(bi, dr);
        re[i3] = SUB(br, di);
        im[i3] = ADD(bi, dr);
      }
    }
  }
  f64x2 r0 = re[0], i0 = im[0];
  f64x2 sum = ADD(r0, i0), diff = SUB(r0, i0);
  spectrum[0] = MUL(sum, sum);
  spectrum[half] = MUL(diff, diff);
  const f64x2 quarter = SPLAT(0.25);
  for (int k = 1, j = half - 1; k <= j; k++, j--) {
    f64x2 zr = re[k], zi = im[k], yr = re[j], yi = im[j];
    f64x2 er = ADD(zr, yr), ei = SUB(zi, yi), odr = ADD(zi, yi), odi = SUB(yr, zr);
    f64x2 c = SPLAT(split_cos[k]), s = SPLAT(split_sin[k]);
    f64x2 p = ADD(MUL(c, odr), MUL(s, odi));
    f64x2 q = SUB(MUL(c, odi), MUL(s, odr));
    f64x2 ar = ADD(er, p), ai = ADD(ei, q), br = SUB(er, p), bi = SUB(q, ei);
    spectrum[k] = MUL(quarter, ADD(MUL(ar, ar), MUL(ai, ai)));
    spectrum[j] = MUL(quarter, ADD(MUL(br, br), MUL(bi, bi)));
  }
}

/* Filter energies of two frames into filter_energy[0 .. num_mel) (f64x2, one frame per lane).
 * Returns the frames' log energies (when USE_ENERGY). */
static f64x2 process_pair(const float *a, const float *b, float offset) {
  /* Interleave the two frames into f64x2 lanes, four samples at a time. The offset is subtracted in float:
   * the reference removes the clip mean from a float32 tensor. */
  f64x2 sum = SPLAT(0);
  v128_t off = wasm_f32x4_splat(offset);
  int i = 0;
  for (; i + 4 <= size; i += 4) {
    v128_t va = wasm_f32x4_sub(wasm_v128_load(a + i), off);
    v128_t vb = wasm_f32x4_sub(wasm_v128_load(b + i), off);
    v128_t low = wasm_i32x4_shuffle(va, vb, 0, 4, 1, 5);  /* a0 b0 a1 b1 */
    v128_t high = wasm_i32x4_shuffle(va, vb, 2, 6, 3, 7); /* a2 b2 a3 b3 */
    f64x2 v0 = wasm_f64x2_promote_low_f32x4(low);
    f64x2 v1 = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(low, low, 2, 3, 2, 3));
    f64x2 v2 = wasm_f64x2_promote_low_f32x4(high);
    f64x2 v3 = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(high, high, 2, 3, 2, 3));
    frame[i] = v0;
    frame[i + 1] = v1;
    frame[i + 2] = v2;
    frame[i + 3] = v3;
    sum = ADD(sum, ADD(ADD(v0, v1), ADD(v2, v3)));
  }
  for (; i < size; i++) {
    f64x2 v = wasm_f64x2_make(a[i] - offset, b[i] - offset);
    frame[i] = v;
    sum = ADD(sum, v);
  }
  f64x2 mean = (flags & REMOVE_DC) ? wasm_f64x2_div(sum, SPLAT(size)) : SPLAT(0);
  f64x2 c = SPLAT(preemph);
  f64x2 energy = SPLAT(0);
  f64x2 next = SUB(frame[size - 1], mean);
  for (int i = size - 1; i > 0; i--) {
    f64x2 prev = SUB(frame[i - 1], mean);
    energy = ADD(energy, MUL(next, next));
    frame[i] = MUL(SUB(next, MUL(c, prev)), SPLAT(window[i]));
    next = prev;
  }
  energy = ADD(energy, MUL(next, next));
  frame[0] = MUL(SUB(next, MUL(c, next)), SPLAT(window[0]));

  f64x2 log_energy = SPLAT(0);
  if (flags & USE_ENERGY) {
    if (!(flags & RAW_ENERGY)) {
      energy = SPLAT(0);
      for (int i = 0; i < size; i++) energy = ADD(energy, MUL(frame[i], frame[i]));
    }
    log_energy = wasm_f64x2_max(log_f64x2(wasm_f64x2_max(energy, SPLAT(1.1920928955078125e-7))),
                                SPLAT(log_energy_floor));
  }

  fft_power();
  if (!(flags & USE_POWER)) {
    for (int k = 0; k <= half; k++) spectrum[k] = wasm_f64x2_sqrt(spectrum[k]);
  }

  const double *w = mel_weights;
  for (int m = 0; m < num_mel; m++) {
    const f64x2 *spec = spectrum + mel_offset[m];
    int length = mel_length[m];
    f64x2 acc = SPLAT(0);
    for (int k = 0; k < length; k++) acc = ADD(acc, MUL(SPLAT(w[k]), spec[k]));
    w += length;
    filter_energy[m] = acc;
  }
  return log_energy;
}

/* Float32 filter outputs of mel bins m, m+1 for both frames: [m·t0, m·t1, (m+1)·t0, (m+1)·t1]. */
static v128_t mel_outputs(int m) {
  v128_t v = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(filter_energy[m]),
                                wasm_f32x4_demote_f64x2_zero(filter_energy[m + 1]), 0, 1, 4, 5);
  if (flags & USE_LOG) v = log_f32x4(wasm_f32x4_max(v, wasm_f32x4_splat(1.1920928955078125e-7f)));
  return v;
}

/* Frames t = 0..frames−1 start at samples + t·shift (minus dc_offset); row t goes to out + t·bins. */
void fbank_compute(const float *samples, int frames, float dc_offset, float *out) {
  int energy = (flags & USE_ENERGY) != 0;
  int bins = num_mel + energy;
  int energy_at = (flags & HTK_COMPAT) ? num_mel : 0;
  int mel_at = energy && !(flags & HTK_COMPAT);
  for (int t = 0; t < frames; t += 2) {
    const float *a = samples + t * shift;
    int pair = t + 1 < frames;
    f64x2 log_energy = process_pair(a, pair ? a + shift : a, dc_offset);
    float *first = out + t * bins;
    float *second = pair ? first + bins : first; /* a lone last frame writes its row twice */
    if (energy) {
      first[energy_at] = (float)wasm_f64x2_extract_lane(log_energy, 0);
      second[energy_at] = (float)wasm_f64x2_extract_lane(log_energy, 1);
    }
    int m = 0;
    for (; m + 4 <= num_mel; m += 4) {
      v128_t low = mel_outputs(m), high = mel_outputs(m + 2);
      wasm_v128_store(second + mel_at + m, wasm_i32x4_shuffle(low, high, 1, 3, 5, 7));
      wasm_v128_store(first + mel_at + m, wasm_i32x4_shuffle(low, high, 0, 2, 4, 6));
    }
    for (; m < num_mel; m++) {
      v128_t v = mel_outputs(m); /* lanes 2, 3 (bin m + 1) are unused */
      second[mel_at + m] = wasm_f32x4_extract_lane(v, 1);
      first[mel_at + m] = wasm_f32x4_extract_lane(v, 0);
    }
  }
}

/*
 * Outputs o_begin .. o_end−1 of the polyphase resampler: output o = i·to_step + j sums
 * x[i·from_step − width + first[j] + k] · taps[tap_at[j] + k]. `x` holds the input samples x_begin .. x_end−1;
 * samples outside that range are zero (torchaudio's padding) or not needed by these outputs.
 */
void resample(const float *x, int x_begin, int x_end, int from_step, int to_step, int width, const int32_t *first,
              const int32_t *tap_at, const double *taps, int o_begin, int o_end, float *out) {
  int i = o_begin / to_step, j = o_begin % to_step;
  for (int o = o_begin; o < o_end; o++) {
    int start = i * from_step - width + first[j];
    int count = tap_at[j + 1] - tap_at[j];
    int lo = x_begin - start > 0 ? x_begin - start : 0;
    int hi = x_end - start < count ? x_end - start : count;
    const float *xs = x + (start - x_begin);
    const double *h = taps + tap_at[j];
    f64x2 acc0 = SPLAT(0), acc1 = SPLAT(0);
    int k = lo;
    for (; k + 4 <= hi; k += 4) {
      f64x2 xa = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(xs + k));
      f64x2 xb = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(xs + k + 2));
      acc0 = ADD(acc0, MUL(xa, wasm_v128_load(h + k)));
      acc1 = ADD(acc1, MUL(xb, wasm_v128_load(h + k + 2)));
    }
    f64x2 acc = ADD(acc0, acc1);
    double sum = wasm_f64x2_extract_lane(acc, 0) + wasm_f64x2_extract_lane(acc, 1);
    for (; k < hi; k++) sum += xs[k] * h[k];
    out[o - o_begin] = (float)sum;
    if (++j == to_step) {
      j = 0;
      i++;
    }
  }
}
