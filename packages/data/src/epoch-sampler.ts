import { SeededRandom } from '@cat/frontend';
import { streamSeed } from './distributions.js';

/** Where a sampler stands: enough to resume mid-epoch with exactly the same order. */
export interface SamplerCursor {
  seed: number;
  epoch: number;
  /** Index of the next draw within the epoch's order. */
  position: number;
}

/** The order of one epoch, a pure function of (seed, epoch). */
export type EpochOrder = (seed: number, epoch: number) => Uint32Array;

/**
 * Walks epoch orders one index at a time, moving to the next epoch at the end. Because each epoch's order
 * depends only on (seed, epoch), a saved `cursor` resumes the identical sequence.
 */
export class EpochSampler {
  private readonly order: EpochOrder;
  private seed: number;
  private epoch: number;
  private position: number;
  private current: Uint32Array;

  constructor(order: EpochOrder, cursor: SamplerCursor) {
    this.order = order;
    this.seed = cursor.seed;
    this.epoch = cursor.epoch;
    this.current = order(cursor.seed, cursor.epoch);
    if (!Number.isInteger(cursor.position) || cursor.position < 0 || cursor.position > this.current.length) {
      throw new Error(`EpochSampler: position ${cursor.position} outside epoch of ${this.current.length}`);
    }
    if (this.current.length === 0) throw new Error('EpochSampler: an epoch must draw at least one index');
    this.position = cursor.position;
  }

  get cursor(): SamplerCursor {
    return { seed: this.seed, epoch: this.epoch, position: this.position };
  }

  /** Number of draws in the current epoch. */
  get epochLength(): number {
    return this.current.length;
  }

  next(): number {
    if (this.position === this.current.length) {
      this.epoch += 1;
      this.position = 0;
      this.current = this.order(this.seed, this.epoch);
    }
    return this.current[this.position++];
  }

  /** The next `count` indices. */
  take(count: number): number[] {
    return Array.from({ length: count }, () => this.next());
  }
}

/** Every index of [0, size) once per epoch, Fisher–Yates shuffled by `SeededRandom(streamSeed(seed, epoch))`. */
export function shuffledOrder(size: number): EpochOrder {
  return (seed, epoch) => {
    const order = new Uint32Array(size);
    for (let i = 0; i < size; i++) order[i] = i;
    new SeededRandom(streamSeed(seed, epoch)).shuffle(order);
    return order;
  };
}
