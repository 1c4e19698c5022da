/**
 * Kaldi frame windows as torchaudio builds them (symmetric, length `size`), evaluated with float32 rounding
 * at every step like torch's float32 window functions.
 */

export type WindowType = 'hanning' | 'hamming' | 'povey' | 'rectangular' | 'blackman';

export const WINDOW_TYPES: readonly WindowType[] = ['hanning', 'hamming', 'povey', 'rectangular', 'blackman'];

const f32 = Math.fround;

/** torch.hamming_window(size, periodic=False, alpha, beta): alpha − beta·cos(2πn/(size−1)). */
function generalizedHamming(size: number, alpha: number, beta: number): Float64Array {
  const window = new Float64Array(size);
  const step = f32((2 * Math.PI) / (size - 1));
  for (let n = 0; n < size; n++) {
    window[n] = f32(f32(-beta * f32(Math.cos(f32(n * step)))) + alpha);
  }
  return window;
}

/** The window of a frame of `size` samples (`blackmanCoeff` only matters for 'blackman'). */
export function featureWindow(type: WindowType, size: number, blackmanCoeff: number): Float64Array {
  switch (type) {
    case 'hanning':
      return generalizedHamming(size, 0.5, 0.5);
    case 'hamming':
      return generalizedHamming(size, 0.54, 0.46);
    case 'povey':
      // Hann raised to 0.85: like Hann but reaches zero at both ends.
      return generalizedHamming(size, 0.5, 0.5).map((v) => f32(v ** 0.85));
    case 'rectangular':
      return new Float64Array(size).fill(1);
    case 'blackman': {
      // Kaldi's generalized Blackman (coefficients differ from torch.blackman_window's).
      const a = (2 * Math.PI) / (size - 1);
      const a1 = f32(a);
      const a2 = f32(2 * a);
      const window = new Float64Array(size);
      for (let n = 0; n < size; n++) {
        const first = f32(blackmanCoeff - f32(0.5 * f32(Math.cos(f32(a1 * n)))));
        window[n] = f32(first + f32(f32(0.5 - blackmanCoeff) * f32(Math.cos(f32(a2 * n)))));
      }
      return window;
    }
    default:
      throw new RangeError(
        `kaldiFbank: unknown windowType '${type}' (expected one of ${WINDOW_TYPES.join(', ')})`,
      );
  }
}
