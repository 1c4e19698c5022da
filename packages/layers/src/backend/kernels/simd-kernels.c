/*
 * WebAssembly SIMD kernels that work in place on tfjs-backend-wasm's heap (the module imports its memory;
 * pointers are the byte offsets of tensors there). Built by build-simd-kernels.sh into simd-kernels.wasm.ts.
 *
 * The module must not touch memory it does not own: no data segments, no stack (every value lives in
 * locals), so the build script checks that the output has neither.
 *
 * - gelu / gelu_grad: exact (erf) GELU and its derivative; erf by a rational approximation (|error| < 4e-7),
 *   exp (the derivative's normal density) from a range-reduced polynomial.
 * - layer_norm / layer_norm_grad: LayerNorm over the last axis of [rows, cols] (cols a multiple of 4),
 *   optional affine; the backward recomputes each row's mean and 1/std instead of saving them.
 * - transpose_swap / sum_rows: layout and reduction kernels tfjs-backend-wasm runs slowly (a 2-D transpose at
 *   ~8 ns per value; Sum over leading axes transposes first).
 * - grouped_columns / grouped_columns_grad: im2col of the decoder's grouped conv, laid out per group.
 * - depthwise_filter_grad: the CBlocks' depthwise filter gradient, ~10x faster than correlating through
 *   XNNPACK's depthwise conv with a map-sized filter.
 * - matmul_tn: aᵀ b contracted over a long row axis (weight gradients).
 */
#include <wasm_simd128.h>

typedef v128_t f32x4;

#define SPLAT wasm_f32x4_splat
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul
#define DIV wasm_f32x4_div

static inline float hsum(f32x4 v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) +
         wasm_f32x4_extract_lane(v, 3);
}

/* e^x for x in [-87, 88]: x = n ln2 + r, |r| <= ln2 / 2, e^r by a degree-6 Taylor polynomial, 2^n by bits. */
static inline f32x4 exp4(f32x4 x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, SPLAT(-87.0f)), SPLAT(88.0f));
  f32x4 n = wasm_f32x4_nearest(MUL(x, SPLAT(1.44269504088896341f)));
  f32x4 r = SUB(x, MUL(n, SPLAT(0.693359375f)));
  r = SUB(r, MUL(n, SPLAT(-2.12194440e-4f)));
  f32x4 p = SPLAT(1.0f / 720.0f);
  p = ADD(MUL(p, r), SPLAT(1.0f / 120.0f));
  p = ADD(MUL(p, r), SPLAT(1.0f / 24.0f));
  p = ADD(MUL(p, r), SPLAT(1.0f / 6.0f));
  p = ADD(MUL(p, r), SPLAT(0.5f));
  p = ADD(MUL(p, r), SPLAT(1.0f));
  p = ADD(MUL(p, r), SPLAT(1.0f));
  v128_t bits = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return MUL(p, bits);
}

/*
 * erf(z) as z·P(z²)/Q(z²) on z clamped to [-4, 4] (beyond, erf is ±1 in float32): the minimax rational
 * form of Eigen's and XLA's float erf, |error| < 4e-7 here; no exp, so cheaper than Abramowitz-Stegun.
 */
static inline f32x4 erf4(f32x4 z) {
  f32x4 x = wasm_f32x4_min(wasm_f32x4_max(z, SPLAT(-4.0f)), SPLAT(4.0f));
  f32x4 x2 = MUL(x, x);
  f32x4 p = SPLAT(-2.72614225801306e-10f);
  p = ADD(MUL(p, x2), SPLAT(2.77068142495902e-08f));
  p = ADD(MUL(p, x2), SPLAT(-2.10102402082508e-06f));
  p = ADD(MUL(p, x2), SPLAT(-5.69250639462346e-05f));
  p = ADD(MUL(p, x2), SPLAT(-7.34990630326855e-04f));
  p = ADD(MUL(p, x2), SPLAT(-2.95459980854025e-03f));
  p = ADD(MUL(p, x2), SPLAT(-1.60960333262415e-02f));
  f32x4 q = SPLAT(-1.45660718464996e-05f);
  q = ADD(MUL(q, x2), SPLAT(-2.13374055278905e-04f));
  q = ADD(MUL(q, x2), SPLAT(-1.68282697438203e-03f));
  q = ADD(MUL(q, x2), SPLAT(-7.37332916720468e-03f));
  q = ADD(MUL(q, x2), SPLAT(-1.42647390514189e-02f));
  return DIV(MUL(x, p), q);
}

/* y = x Φ(x) = 0.5 x (1 + erf(x / √2)); n a multiple of 4. */
void gelu(const f32x4 *x, f32x4 *y, int n) {
  for (int i = 0; i < n / 4; i++) {
    f32x4 v = x[i];
    f32x4 cdf = MUL(SPLAT(0.5f), ADD(SPLAT(1.0f), erf4(MUL(v, SPLAT(0.70710678118654752f)))));
    y[i] = MUL(v, cdf);
  }
}

/* dx = dy (Φ(x) + x φ(x)), φ(x) = e^(-x²/2) / √(2π). */
void gelu_grad(const f32x4 *x, const f32x4 *dy, f32x4 *dx, int n) {
  for (int i = 0; i < n / 4; i++) {
    f32x4 v = x[i];
    f32x4 cdf = MUL(SPLAT(0.5f), ADD(SPLAT(1.0f), erf4(MUL(v, SPLAT(0.70710678118654752f)))));
    f32x4 pdf = MUL(SPLAT(0.39894228040143268f), exp4(MUL(SPLAT(-0.5f), MUL(v, v))));
    dx[i] = MUL(dy[i], ADD(cdf, MUL(v, pdf)));
  }
}

/* Mean and 1/std of one row of c4 vectors (two passes: centred variance, as the composite ops do). */
static inline void row_moments(const f32x4 *row, int c4, float epsilon, float *mean, float *rstd) {
  f32x4 s = SPLAT(0.0f);
  for (int j = 0; j < c4; j++) s = ADD(s, row[j]);
  float m = hsum(s) / (float)(c4 * 4);
  f32x4 mv = SPLAT(m);
  f32x4 q = SPLAT(0.0f);
  for (int j = 0; j < c4; j++) {
    f32x4 d = SUB(row[j], mv);
    q = ADD(q, MUL(d, d));
  }
  float variance = hsum(q) / (float)(c4 * 4);
  *mean = m;
  *rstd = 1.0f / __builtin_sqrtf(variance + epsilon);
}

/* y = (x - mean) / std (· gamma + beta when gamma is not null) over rows of `cols` values. */
void layer_norm(const f32x4 *x, const f32x4 *gamma, const f32x4 *beta, f32x4 *y, int rows, int cols,
                float epsilon) {
  int c4 = cols / 4;
  for (int r = 0; r < rows; r++) {
    const f32x4 *row = x + r * c4;
    f32x4 *out = y + r * c4;
    float mean, rstd;
    row_moments(row, c4, epsilon, &mean, &rstd);
    f32x4 mv = SPLAT(mean), sv = SPLAT(rstd);
    if (gamma) {
      for (int j = 0; j < c4; j++) out[j] = ADD(MUL(MUL(SUB(row[j], mv), sv), gamma[j]), beta[j]);
    } else {
      for (int j = 0; j < c4; j++) out[j] = MUL(SUB(row[j], mv), sv);
    }
  }
}

/*
 * dx = rstd (g - mean(g) - x̂ mean(g x̂)) with g = dy · gamma (or dy), x̂ the normalised row; with gamma,
 * dgamma = Σ_rows dy x̂ and dbeta = Σ_rows dy (both written, not accumulated).
 */
void layer_norm_grad(const f32x4 *x, const f32x4 *gamma, const f32x4 *dy, f32x4 *dx, f32x4 *dgamma,
                     f32x4 *dbeta, int rows, int cols, float epsilon) {
  int c4 = cols / 4;
  if (gamma) {
    for (int j = 0; j < c4; j++) {
      dgamma[j] = SPLAT(0.0f);
      dbeta[j] = SPLAT(0.0f);
    }
  }
  for (int r = 0; r < rows; r++) {
    const f32x4 *row = x + r * c4;
    const f32x4 *drow = dy + r * c4;
    f32x4 *out = dx + r * c4;
    float mean, rstd;
    row_moments(row, c4, epsilon, &mean, &rstd);
    f32x4 mv = SPLAT(mean), sv = SPLAT(rstd);
    f32x4 sum_g = SPLAT(0.0f), sum_gx = SPLAT(0.0f);
    for (int j = 0; j < c4; j++) {
      f32x4 xhat = MUL(SUB(row[j], mv), sv);
      f32x4 g = gamma ? MUL(drow[j], gamma[j]) : drow[j];
      sum_g = ADD(sum_g, g);
      sum_gx = ADD(sum_gx, MUL(g, xhat));
      if (gamma) {
        dgamma[j] = ADD(dgamma[j], MUL(drow[j], xhat));
        dbeta[j] = ADD(dbeta[j], drow[j]);
      }
    }
    f32x4 mg = SPLAT(hsum(sum_g) / (float)cols), mgx = SPLAT(hsum(sum_gx) / (float)cols);
    for (int j = 0; j < c4; j++) {
      f32x4 xhat = MUL(SUB(row[j], mv), sv);
      f32x4 g = gamma ? MUL(drow[j], gamma[j]) : drow[j];
      out[j] = MUL(sv, SUB(SUB(g, mg), MUL(xhat, mgx)));
    }
  }
}

/*
 * y[o][c][r][:] = x[o][r][c][:] for `outer` blocks of [rows, cols] cells of `inner` values: any transpose
 * that swaps two adjacent groups of axes. Cells of one value are copied in 8x8 tiles to keep both sides
 * in cache.
 */
void transpose_swap(const float *x, float *y, int outer, int rows, int cols, int inner) {
  const int tile = 8;
  for (int o = 0; o < outer; o++) {
    const float *xo = x + (long)o * rows * cols * inner;
    float *yo = y + (long)o * rows * cols * inner;
    if (inner == 1) {
      for (int r0 = 0; r0 < rows; r0 += tile) {
        int r1 = r0 + tile < rows ? r0 + tile : rows;
        for (int c0 = 0; c0 < cols; c0 += tile) {
          int c1 = c0 + tile < cols ? c0 + tile : cols;
          for (int c = c0; c < c1; c++) {
            for (int r = r0; r < r1; r++) yo[c * rows + r] = xo[r * cols + c];
          }
        }
      }
    } else if (inner % 4 == 0) {
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          const f32x4 *from = (const f32x4 *)(xo + (r * cols + c) * inner);
          f32x4 *to = (f32x4 *)(yo + (c * rows + r) * inner);
          for (int i = 0; i < inner / 4; i++) to[i] = from[i];
        }
      }
    } else {
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          const float *from = xo + (r * cols + c) * inner;
          float *to = yo + (c * rows + r) * inner;
          for (int i = 0; i < inner; i++) to[i] = from[i];
        }
      }
    }
  }
}

/* out[o][c] = Σ_r x[o][r][c]: a sum over a block of axes that are not the innermost. */
void sum_rows(const float *x, float *out, int outer, int rows, int cols) {
  for (int o = 0; o < outer; o++) {
    float *acc = out + o * cols;
    const float *xo = x + (long)o * rows * cols;
    for (int c = 0; c < cols; c++) acc[c] = 0.0f;
    if (cols % 4 == 0) {
      f32x4 *acc4 = (f32x4 *)acc;
      for (int r = 0; r < rows; r++) {
        const f32x4 *row = (const f32x4 *)(xo + r * cols);
        for (int c = 0; c < cols / 4; c++) acc4[c] = ADD(acc4[c], row[c]);
      }
    } else {
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) acc[c] += xo[r * cols + c];
      }
    }
  }
}

/*
 * Column matrix of a grouped k x k convolution (stride 1, zero padding k/2) of x [batch, height, width,
 * channels]: cols [groups, batch·height·width, k·k·(channels/groups)], row = pixel, column = (tap, channel
 * of the group). The grouped conv is then one matmul per group.
 */
void grouped_columns(const float *x, float *cols, int batch, int height, int width, int channels, int k,
                     int groups) {
  int cg = channels / groups, pad = k / 2, row = k * k * cg;
  long pixels = (long)batch * height * width;
  for (int b = 0; b < batch; b++) {
    for (int h = 0; h < height; h++) {
      for (int w = 0; w < width; w++) {
        long p = ((long)b * height + h) * width + w;
        for (int i = 0; i < k; i++) {
          int hh = h + i - pad;
          for (int j = 0; j < k; j++) {
            int ww = w + j - pad;
            int inside = hh >= 0 && hh < height && ww >= 0 && ww < width;
            const float *src = x + (((long)b * height + hh) * width + ww) * channels;
            for (int g = 0; g < groups; g++) {
              float *dst = cols + ((long)g * pixels + p) * row + (i * k + j) * cg;
              if (inside) {
                for (int c = 0; c < cg; c++) dst[c] = src[g * cg + c];
              } else {
                for (int c = 0; c < cg; c++) dst[c] = 0.0f;
              }
            }
          }
        }
      }
    }
  }
}

/* The adjoint of grouped_columns: dx [batch, height, width, channels] = Σ of the columns each value fed. */
void grouped_columns_grad(const float *dcols, float *dx, int batch, int height, int width, int channels, int k,
                          int groups) {
  int cg = channels / groups, pad = k / 2, row = k * k * cg;
  long pixels = (long)batch * height * width;
  for (long q = 0; q < pixels * channels; q++) dx[q] = 0.0f;
  for (int b = 0; b < batch; b++) {
    for (int h = 0; h < height; h++) {
      for (int w = 0; w < width; w++) {
        long p = ((long)b * height + h) * width + w;
        for (int i = 0; i < k; i++) {
          int hh = h + i - pad;
          if (hh < 0 || hh >= height) continue;
          for (int j = 0; j < k; j++) {
            int ww = w + j - pad;
            if (ww < 0 || ww >= width) continue;
            float *dst = dx + (((long)b * height + hh) * width + ww) * channels;
            for (int g = 0; g < groups; g++) {
              const float *src = dcols + ((long)g * pixels + p) * row + (i * k + j) * cg;
              for (int c = 0; c < cg; c++) dst[g * cg + c] += src[c];
            }
          }
        }
      }
    }
  }
}

/*
 * Filter gradient of a stride-1 depthwise conv (channel multiplier 1): dw [fh, fw, channels] =
 * Σ_{b, oh, ow} x[b, oh + i - top, ow + j - left, :] · dy[b, oh, ow, :], channels a multiple of 4.
 * Accumulates in place over the output positions (the [fh·fw·channels] sums stay in cache).
 */
void depthwise_filter_grad(const f32x4 *x, const f32x4 *dy, f32x4 *dw, int batch, int height, int width,
                           int out_height, int out_width, int channels, int fh, int fw, int top, int left) {
  int c4 = channels / 4;
  for (int q = 0; q < fh * fw * c4; q++) dw[q] = SPLAT(0.0f);
  for (int b = 0; b < batch; b++) {
    for (int oh = 0; oh < out_height; oh++) {
      for (int ow = 0; ow < out_width; ow++) {
        const f32x4 *g = dy + (((long)b * out_height + oh) * out_width + ow) * c4;
        for (int i = 0; i < fh; i++) {
          int ih = oh + i - top;
          if (ih < 0 || ih >= height) continue;
          for (int j = 0; j < fw; j++) {
            int iw = ow + j - left;
            if (iw < 0 || iw >= width) continue;
            const f32x4 *v = x + (((long)b * height + ih) * width + iw) * c4;
            f32x4 *acc = dw + (i * fw + j) * c4;
            for (int c = 0; c < c4; c++) acc[c] = ADD(acc[c], MUL(v[c], g[c]));
          }
        }
      }
    }
  }
}

/*
 * out [m, n] = aᵀ b for a [rows, m] and b [rows, n] stored row-major (m and n multiples of 4): the weight
 * gradient of a linear layer, a contraction over every token. XNNPACK would need a transposed copy of one
 * operand and packs the other on every call; here a 4 x 8 (or 4 x 4) output tile stays in registers while
 * the rows stream by, in blocks of rows that stay in cache.
 */
#define LANE(v, k) wasm_i32x4_shuffle(v, v, k, k, k, k)

static inline void tile_add(float *o, f32x4 v) { wasm_v128_store(o, ADD(wasm_v128_load(o), v)); }

void matmul_tn(const float *a, const float *b, float *out, int rows, int m, int n) {
  const int block = 256;
  for (int q = 0; q < m * n; q++) out[q] = 0.0f;
  for (int r0 = 0; r0 < rows; r0 += block) {
    int r1 = r0 + block < rows ? r0 + block : rows;
    for (int i = 0; i < m; i += 4) {
      int j = 0;
      for (; j + 8 <= n; j += 8) {
        f32x4 c00 = SPLAT(0.0f), c01 = SPLAT(0.0f), c10 = SPLAT(0.0f), c11 = SPLAT(0.0f);
        f32x4 c20 = SPLAT(0.0f), c21 = SPLAT(0.0f), c30 = SPLAT(0.0f), c31 = SPLAT(0.0f);
        const float *ar = a + (long)r0 * m + i;
        const float *br = b + (long)r0 * n + j;
        for (int r = r0; r < r1; r++, ar += m, br += n) {
          f32x4 av = wasm_v128_load(ar);
          f32x4 b0 = wasm_v128_load(br), b1 = wasm_v128_load(br + 4);
          f32x4 a0 = LANE(av, 0), a1 = LANE(av, 1), a2 = LANE(av, 2), a3 = LANE(av, 3);
          c00 = ADD(c00, MUL(a0, b0));
          c01 = ADD(c01, MUL(a0, b1));
          c10 = ADD(c10, MUL(a1, b0));
          c11 = ADD(c11, MUL(a1, b1));
          c20 = ADD(c20, MUL(a2, b0));
          c21 = ADD(c21, MUL(a2, b1));
          c30 = ADD(c30, MUL(a3, b0));
          c31 = ADD(c31, MUL(a3, b1));
        }
        float *o = out + i * n + j;
        tile_add(o, c00);
        tile_add(o + 4, c01);
        tile_add(o + n, c10);
        tile_add(o + n + 4, c11);
        tile_add(o + 2 * n, c20);
        tile_add(o + 2 * n + 4, c21);
        tile_add(o + 3 * n, c30);
        tile_add(o + 3 * n + 4, c31);
      }
      if (j < n) {
        f32x4 c00 = SPLAT(0.0f), c10 = SPLAT(0.0f), c20 = SPLAT(0.0f), c30 = SPLAT(0.0f);
        const float *ar = a + (long)r0 * m + i;
        const float *br = b + (long)r0 * n + j;
        for (int r = r0; r < r1; r++, ar += m, br += n) {
          f32x4 av = wasm_v128_load(ar);
          f32x4 b0 = wasm_v128_load(br);
          c00 = ADD(c00, MUL(LANE(av, 0), b0));
          c10 = ADD(c10, MUL(LANE(av, 1), b0));
          c20 = ADD(c20, MUL(LANE(av, 2), b0));
          c30 = ADD(c30, MUL(LANE(av, 3), b0));
        }
        float *o = out + i * n + j;
        tile_add(o, c00);
        tile_add(o + n, c10);
        tile_add(o + 2 * n, c20);
        tile_add(o + 3 * n, c30);
      }
    }
  }
}
