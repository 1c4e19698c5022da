/**
 * One clip for an external encoder. Encoders that need audio use `samples` (mono, at `sampleRate`) when given and
 * read the file at `path` otherwise.
 */
export interface ClipInput {
  id: string;
  path?: string;
  samples?: Float32Array;
  sampleRate?: number;
}

/** A frozen encoder whose clip embeddings a student is aligned with (reference §8.3). */
export interface ExternalEncoder {
  /** Says which encoder and settings made a set of features (recorded beside precomputed features). */
  readonly name: string;
  /** Length of every embedding. */
  readonly dimension: number;
  /** One embedding per clip, in input order. */
  embed(clips: ClipInput[]): Promise<Float32Array[]>;
  /** Frees model weights, for encoders that hold any. */
  dispose?(): void;
}
