/** Sample-level checks and gain for the clips the dataset writes. */

/** The largest absolute sample value. */
export function peakOf(samples: Float32Array): number {
  let peak = 0;
  for (const value of samples) peak = Math.max(peak, Math.abs(value));
  return peak;
}

/** Scales `samples` in place so that their peak is `target` (a silent input is left as it is). */
export function normalisePeak(samples: Float32Array, target: number): Float32Array {
  const peak = peakOf(samples);
  if (peak > 0) {
    const gain = target / peak;
    for (let i = 0; i < samples.length; i++) samples[i] *= gain;
  }
  return samples;
}
