import { SeededRandom } from '@cat/frontend';

export interface InverseBlockMaskConfig {
  /** Token grid rows (time patches, T/16) and columns (frequency patches, 8). */
  gridTime: number;
  gridFreq: number;
  /** Fraction of tokens hidden from the student (reference base 0.8, large 0.75). */
  maskProb?: number;
  /** Extra share of block centres drawn before the exact-count correction (reference 0.07; large 0.1). */
  maskProbAdjust?: number;
  /** Side of the square blocks kept visible around each centre (reference 5). */
  blockSize?: number;
  seed?: number;
}

/** Masks for a batch of views, each with exactly `visibleCount` visible tokens. */
export interface MaskBatch {
  views: number;
  tokens: number;
  visibleCount: number;
  /** `[views * tokens]`, 1 = visible to the student, 0 = masked. */
  visible: Uint8Array;
  /** `[views * visibleCount]`, the visible token indices of each view in increasing order. */
  visibleIndices: Int32Array;
  /** `[views * (tokens - visibleCount)]`, the masked token indices of each view in increasing order. */
  maskedIndices: Int32Array;
}

/**
 * Inverse block masking (data2vec 2.0 / EAT, reference §7.2): instead of masking blocks, keep a few square blocks
 * visible and mask the rest, then add or drop single tokens at random until exactly `floor(N * (1 - maskProb))`
 * tokens stay visible, so every view of a batch has the same number of visible tokens.
 */
export class InverseBlockMasker {
  readonly gridTime: number;
  readonly gridFreq: number;
  readonly tokens: number;
  readonly visibleCount: number;
  readonly centres: number;
  readonly blockSize: number;
  private readonly random: SeededRandom;

  constructor(config: InverseBlockMaskConfig) {
    const { gridTime, gridFreq, maskProb = 0.8, maskProbAdjust = 0.07, blockSize = 5, seed = 0 } = config;
    if (!(gridTime > 0 && gridFreq > 0))
      throw new Error(`InverseBlockMasker: empty grid ${gridTime}x${gridFreq}`);
    if (!(maskProb > 0 && maskProb < 1))
      throw new Error(`InverseBlockMasker: maskProb must be in (0, 1), got ${maskProb}`);
    this.gridTime = gridTime;
    this.gridFreq = gridFreq;
    this.blockSize = blockSize;
    this.tokens = gridTime * gridFreq;
    const keep = 1 - maskProb;
    this.visibleCount = Math.floor(this.tokens * keep);
    this.centres = Math.floor((this.tokens * (keep + maskProbAdjust)) / (blockSize * blockSize));
    if (this.visibleCount < 1)
      throw new Error(`InverseBlockMasker: maskProb ${maskProb} leaves no visible token`);
    this.random = new SeededRandom(seed);
  }

  /** One view's visibility map: `[tokens]`, 1 = visible. */
  sampleOne(): Uint8Array {
    const { gridTime, gridFreq, tokens, blockSize, random } = this;
    const visible = new Uint8Array(tokens);
    const before = Math.floor((blockSize - 1) / 2);
    for (let c = 0; c < this.centres; c++) {
      const centre = random.int(tokens);
      const t0 = Math.floor(centre / gridFreq);
      const f0 = centre % gridFreq;
      // Offsets outside the grid are clamped onto it, so border blocks are cut rather than shifted.
      for (let dt = -before; dt < blockSize - before; dt++) {
        const t = Math.min(Math.max(t0 + dt, 0), gridTime - 1);
        for (let df = -before; df < blockSize - before; df++) {
          const f = Math.min(Math.max(f0 + df, 0), gridFreq - 1);
          visible[t * gridFreq + f] = 1;
        }
      }
    }
    this.correctCount(visible);
    return visible;
  }

  /** Add or remove random single tokens until exactly `visibleCount` are visible. */
  private correctCount(visible: Uint8Array): void {
    let count = 0;
    for (const v of visible) count += v;
    const surplus = count - this.visibleCount;
    if (surplus === 0) return;
    const wanted = surplus > 0 ? 1 : 0;
    const candidates: number[] = [];
    for (let i = 0; i < visible.length; i++) if (visible[i] === wanted) candidates.push(i);
    this.random.shuffle(candidates);
    for (let i = 0; i < Math.abs(surplus); i++) visible[candidates[i]] = 1 - wanted;
  }

  /** Independent masks for `clips * clones` views (view index = clip * clones + clone). */
  sample(clips: number, clones = 1): MaskBatch {
    const views = clips * clones;
    const { tokens, visibleCount } = this;
    const masked = tokens - visibleCount;
    const visible = new Uint8Array(views * tokens);
    const visibleIndices = new Int32Array(views * visibleCount);
    const maskedIndices = new Int32Array(views * masked);
    for (let v = 0; v < views; v++) {
      const one = this.sampleOne();
      visible.set(one, v * tokens);
      let a = v * visibleCount;
      let b = v * masked;
      for (let i = 0; i < tokens; i++) {
        if (one[i]) visibleIndices[a++] = i;
        else maskedIndices[b++] = i;
      }
    }
    return { views, tokens, visibleCount, visible, visibleIndices, maskedIndices };
  }

  /** The generator state, for exact resume. */
  getState() {
    return this.random.getState();
  }

  setState(state: ReturnType<SeededRandom['getState']>): void {
    this.random.setState(state);
  }
}
