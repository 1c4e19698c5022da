import { getBackend, matMul, randomNormal, util } from '@tensorflow/tfjs-core';

export interface MatmulCeilingOptions {
  /** Rows of `a` (default 1024). */
  m?: number;
  /** Columns of `a` = rows of `b` (default 1024). */
  k?: number;
  /** Columns of `b` (default 1024). */
  n?: number;
  /** Independent products in one batched matmul, as in attention (default 1: plain 2-D). */
  batch?: number;
  /** Multiply by `a` stored transposed ([k, m]), as weight gradients do. */
  transposeA?: boolean;
  /** Multiply by `b` stored transposed ([n, k]), as input gradients and attention scores do. */
  transposeB?: boolean;
  /** Timed runs after one warm-up; the fastest counts (default 5). */
  repeats?: number;
}

export interface MatmulCeiling {
  /** Best rate, 2·batch·m·k·n floating-point operations per second, in GFLOP/s. */
  gflops: number;
  /** Time of the fastest run. */
  milliseconds: number;
  /** The tfjs backend measured (the active one). */
  backend: string;
}

/**
 * The active backend's matmul rate for [m, k] x [k, n] (optionally batched or with transposed
 * operands): the ceiling that model throughput is compared against in benchmarks.
 */
export async function measureMatmulCeiling(options: MatmulCeilingOptions = {}): Promise<MatmulCeiling> {
  const {
    m = 1024,
    k = 1024,
    n = 1024,
    batch = 1,
    transposeA = false,
    transposeB = false,
    repeats = 5,
  } = options;
  const lead = batch === 1 ? [] : [batch];
  const a = randomNormal([...lead, ...(transposeA ? [k, m] : [m, k])]);
  const b = randomNormal([...lead, ...(transposeB ? [n, k] : [k, n])]);
  let best = Number.POSITIVE_INFINITY;
  try {
    for (let run = 0; run <= repeats; run++) {
      const start = util.now();
      const product = matMul(a, b, transposeA, transposeB);
      await product.data();
      const elapsed = util.now() - start;
      product.dispose();
      if (run > 0) best = Math.min(best, elapsed);
    }
  } finally {
    a.dispose();
    b.dispose();
  }
  return { gflops: (2 * batch * m * k * n) / best / 1e6, milliseconds: best, backend: getBackend() };
}
