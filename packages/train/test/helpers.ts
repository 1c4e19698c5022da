import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A JSON fixture made by scripts/make-train-fixtures.py (NaN is stored as null). */
export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, '__fixtures__', name), 'utf8'));
}

/** Fixture numbers back to float32, NaN where the fixture has null. */
export function f32(values: Array<number | null>): Float32Array {
  return Float32Array.from(values, (v) => (v === null ? Number.NaN : v));
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
