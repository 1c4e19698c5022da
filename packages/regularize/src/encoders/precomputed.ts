import type { FeatureStore } from '../stores.js';
import type { ClipInput, ExternalEncoder } from './types.js';

/** Features computed earlier by any tool (CLAP, AST, BEATs... in Python), looked up by clip id. */
export class PrecomputedEncoder implements ExternalEncoder {
  readonly dimension: number;

  constructor(
    private readonly store: FeatureStore,
    readonly name = 'precomputed',
  ) {
    this.dimension = store.dimension;
  }

  /** Throws, naming the clip, when the store has no feature for one; callers that skip such clips check `has`. */
  async embed(clips: ClipInput[]): Promise<Float32Array[]> {
    return Promise.all(
      clips.map(async (clip) => {
        const vector = await this.store.get(clip.id);
        if (!vector) throw new Error(`${this.name}: no feature for clip ${clip.id}`);
        return vector;
      }),
    );
  }

  has(id: string): boolean {
    return this.store.has(id);
  }
}
