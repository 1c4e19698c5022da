/**
 * Kaldi's triangular mel filter bank (`torchaudio.compliance.kaldi.get_mel_banks`), including VTLN warping,
 * stored sparsely: each filter keeps only its run of non-zero weights over the FFT bins.
 *
 * torchaudio evaluates the bank in float32 (the bin indices are integer tensors promoted to the default
 * dtype); every tensor operation here is rounded to float32 the same way so the weights agree to the ulp.
 */

const f32 = Math.fround;

/** One filter per mel bin: weights for FFT bins `offset .. offset + weights.length − 1`. */
export interface MelFilterBank {
  offsets: Int32Array;
  weights: Float64Array[];
}

export interface MelBankOptions {
  numBins: number;
  paddedWindowSize: number;
  sampleFrequency: number;
  lowFreq: number;
  highFreq: number;
  vtlnLow: number;
  vtlnHigh: number;
  vtlnWarp: number;
}

const melScaleScalar = (freq: number) => 1127.0 * Math.log(1.0 + freq / 700.0);
const melScale = (freq: number) => f32(1127.0 * f32(Math.log(f32(1.0 + f32(freq / 700.0)))));
const inverseMelScale = (mel: number) => f32(700.0 * f32(f32(Math.exp(f32(mel / 1127.0))) - 1.0));

/** Kaldi's piecewise-linear VTLN warp of a frequency in Hz (identity outside [lowFreq, highFreq]). */
function vtlnWarpFreq(
  vtlnLow: number,
  vtlnHigh: number,
  lowFreq: number,
  highFreq: number,
  warp: number,
  freq: number,
): number {
  if (!(vtlnLow > lowFreq)) throw new RangeError('kaldiFbank: vtlnLow must be above lowFreq');
  if (!(vtlnHigh < highFreq))
    throw new RangeError('kaldiFbank: vtlnHigh must be below highFreq [or negative]');
  const l = vtlnLow * Math.max(1.0, warp);
  const h = vtlnHigh * Math.min(1.0, warp);
  const scale = 1.0 / warp;
  const fl = scale * l;
  const fh = scale * h;
  if (!(l > lowFreq && h < highFreq)) {
    throw new RangeError(`kaldiFbank: VTLN inflection points ${l}, ${h} fall outside [lowFreq, highFreq]`);
  }
  const scaleLeft = (fl - lowFreq) / (l - lowFreq);
  const scaleRight = (highFreq - fh) / (highFreq - h);
  // Same precedence as torchaudio: outside > below l > below h > at or above h.
  if (freq < f32(lowFreq) || freq > f32(highFreq)) return freq;
  if (freq < f32(l)) return f32(f32(lowFreq) + f32(f32(scaleLeft) * f32(freq - f32(lowFreq))));
  if (freq < f32(h)) return f32(f32(scale) * freq);
  return f32(f32(highFreq) + f32(f32(scaleRight) * f32(freq - f32(highFreq))));
}

export function kaldiMelBanks(options: MelBankOptions): MelFilterBank {
  const { numBins, paddedWindowSize, sampleFrequency, vtlnLow, vtlnWarp } = options;
  let { highFreq, vtlnHigh } = options;
  const lowFreq = options.lowFreq;
  if (!(Number.isInteger(numBins) && numBins > 3)) {
    throw new RangeError(`kaldiFbank: numMelBins must be an integer > 3, got ${numBins}`);
  }
  const numFftBins = paddedWindowSize / 2;
  const nyquist = 0.5 * sampleFrequency;
  if (highFreq <= 0.0) highFreq += nyquist;
  if (!(lowFreq >= 0.0 && lowFreq < nyquist && highFreq > 0.0 && highFreq <= nyquist && lowFreq < highFreq)) {
    throw new RangeError(
      `kaldiFbank: bad lowFreq ${lowFreq} / highFreq ${highFreq} for Nyquist ${nyquist} (need 0 <= low < high <= Nyquist)`,
    );
  }
  const fftBinWidth = sampleFrequency / paddedWindowSize;
  const melLow = melScaleScalar(lowFreq);
  const melHigh = melScaleScalar(highFreq);
  const melDelta = f32((melHigh - melLow) / (numBins + 1));
  if (vtlnHigh < 0.0) vtlnHigh += nyquist;
  if (
    vtlnWarp !== 1.0 &&
    !(lowFreq < vtlnLow && vtlnLow < highFreq && vtlnHigh > 0.0 && vtlnHigh < highFreq && vtlnLow < vtlnHigh)
  ) {
    throw new RangeError(
      `kaldiFbank: bad vtlnLow ${vtlnLow} / vtlnHigh ${vtlnHigh} versus lowFreq ${lowFreq} / highFreq ${highFreq}`,
    );
  }
  const warpMel = (mel: number) =>
    vtlnWarp === 1.0
      ? mel
      : melScale(vtlnWarpFreq(vtlnLow, vtlnHigh, lowFreq, highFreq, vtlnWarp, inverseMelScale(mel)));

  const binWidth = f32(fftBinWidth);
  const fftMel = new Float64Array(numFftBins);
  for (let k = 0; k < numFftBins; k++) fftMel[k] = melScale(f32(k * binWidth));

  const offsets = new Int32Array(numBins);
  const weights: Float64Array[] = [];
  const row = new Float64Array(numFftBins);
  const melLow32 = f32(melLow);
  for (let b = 0; b < numBins; b++) {
    const left = warpMel(f32(melLow32 + f32(b * melDelta)));
    const center = warpMel(f32(melLow32 + f32((b + 1) * melDelta)));
    const right = warpMel(f32(melLow32 + f32((b + 2) * melDelta)));
    const upWidth = f32(center - left);
    const downWidth = f32(right - center);
    for (let k = 0; k < numFftBins; k++) {
      const mel = fftMel[k];
      const up = f32(f32(mel - left) / upWidth);
      const down = f32(f32(right - mel) / downWidth);
      if (vtlnWarp === 1.0) {
        row[k] = Math.max(0, Math.min(up, down));
      } else {
        // Warping may reorder the edges, so pick the slope by position instead of taking the minimum.
        row[k] = mel > left && mel <= center ? up : mel > center && mel < right ? down : 0;
      }
    }
    let lo = 0;
    let hi = numFftBins;
    while (lo < hi && row[lo] === 0) lo++;
    while (hi > lo && row[hi - 1] === 0) hi--;
    offsets[b] = lo;
    weights.push(row.slice(lo, hi));
  }
  return { offsets, weights };
}
