import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { decodeNpy, encodeNpy } from '@cat/frontend';
import { writeFileAtomic } from '@cat/frontend/node';
import { decodeFloat16, encodeFloat16 } from './float16.js';

/** External features of clips, looked up by clip id (the audio file's name without folder and extension). */
export interface FeatureStore {
  readonly dimension: number;
  has(id: string): boolean;
  /** The clip's feature vector, or `undefined` when the store has none for it. */
  get(id: string): Promise<Float32Array | undefined>;
  ids(): string[];
}

/** The id of a clip from its path: `dir/Y8KIoQ2HZ0Hg.wav` → `Y8KIoQ2HZ0Hg`. */
export function clipId(path: string): string {
  return basename(path, extname(path));
}

/** One entry of the reference's pre-training JSON manifest with external features (§11.2). */
export interface FeatureManifestEntry {
  wav_path: string;
  clap_path: string;
  num_frame: number;
  mel_path?: string;
}

/** Read and check the reference's JSON manifest; relative paths resolve against the manifest's folder. */
export async function readFeatureManifest(path: string): Promise<FeatureManifestEntry[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not a readable JSON feature manifest: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new Error(
      `${path}: a feature manifest is a non-empty JSON list of {wav_path, clap_path, num_frame}`,
    );
  }
  const root = dirname(path);
  return parsed.map((entry, index) => {
    const e = entry as Partial<FeatureManifestEntry>;
    if (
      typeof e.wav_path !== 'string' ||
      typeof e.clap_path !== 'string' ||
      typeof e.num_frame !== 'number'
    ) {
      throw new Error(`${path}: entry ${index} lacks wav_path, clap_path (strings) or num_frame (number)`);
    }
    const at = (p: string) => (isAbsolute(p) ? p : resolve(root, p));
    return {
      ...e,
      wav_path: at(e.wav_path),
      clap_path: at(e.clap_path),
      num_frame: e.num_frame,
    } as FeatureManifestEntry;
  });
}

/** Write the reference's JSON manifest atomically. */
export async function writeFeatureManifest(path: string, entries: FeatureManifestEntry[]): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(entries, null, 1)}\n`));
}

/** The reference's way: one `.npy` vector per clip, found through the JSON manifest; read on demand. */
export class NpyFeatureStore implements FeatureStore {
  private readonly paths = new Map<string, string>();

  private constructor(
    entries: FeatureManifestEntry[],
    readonly dimension: number,
  ) {
    for (const entry of entries) this.paths.set(clipId(entry.wav_path), entry.clap_path);
  }

  /** Open a store from a manifest; the first vector fixes the dimension every other must have. */
  static async open(manifestPath: string): Promise<NpyFeatureStore> {
    const entries = await readFeatureManifest(manifestPath);
    const first = await readVector(entries[0].clap_path);
    return new NpyFeatureStore(entries, first.length);
  }

  has(id: string): boolean {
    return this.paths.has(id);
  }

  ids(): string[] {
    return [...this.paths.keys()];
  }

  async get(id: string): Promise<Float32Array | undefined> {
    const path = this.paths.get(id);
    if (!path) return undefined;
    const vector = await readVector(path);
    if (vector.length !== this.dimension) {
      throw new Error(
        `${path}: feature of length ${vector.length}, the store's features have ${this.dimension}`,
      );
    }
    return vector;
  }
}

async function readVector(path: string): Promise<Float32Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`${path}: cannot read the feature file: ${(error as Error).message}`);
  }
  const array = decodeNpy(bytes, path);
  const length = array.shape.reduce((a, b) => a * b, 1);
  if (array.shape.filter((s) => s > 1).length > 1) {
    throw new Error(`${path}: a clip feature must be one vector, got shape (${array.shape.join(', ')})`);
  }
  const data =
    array.dtype === 'float16' ? decodeFloat16(array.data as Uint16Array) : Float32Array.from(array.data);
  return data.length === length ? data : data.subarray(0, length);
}

/**
 * All features in one matrix (`features.npy`, float32 or float16, `[clips, d]`) plus `ids.json`: loads in one read
 * and serves vectors without further I/O.
 */
export class PackedFeatureStore implements FeatureStore {
  private readonly rows = new Map<string, number>();

  constructor(
    private readonly matrix: Float32Array,
    ids: string[],
    readonly dimension: number,
  ) {
    if (matrix.length !== ids.length * dimension) {
      throw new Error(`PackedFeatureStore: ${ids.length} ids x ${dimension} != ${matrix.length} values`);
    }
    ids.forEach((id, row) => this.rows.set(id, row));
  }

  static async open(dir: string): Promise<PackedFeatureStore> {
    const matrixPath = join(dir, 'features.npy');
    const idsPath = join(dir, 'ids.json');
    const array = decodeNpy(await readFile(matrixPath), matrixPath);
    if (array.shape.length !== 2)
      throw new Error(`${matrixPath}: expected a [clips, d] matrix, got (${array.shape})`);
    const ids = JSON.parse(await readFile(idsPath, 'utf8')) as string[];
    if (!Array.isArray(ids) || ids.length !== array.shape[0]) {
      throw new Error(
        `${idsPath}: lists ${Array.isArray(ids) ? ids.length : 'no'} ids for ${array.shape[0]} rows`,
      );
    }
    const data =
      array.dtype === 'float16' ? decodeFloat16(array.data as Uint16Array) : Float32Array.from(array.data);
    return new PackedFeatureStore(data, ids, array.shape[1]);
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  ids(): string[] {
    return [...this.rows.keys()];
  }

  async get(id: string): Promise<Float32Array | undefined> {
    const row = this.rows.get(id);
    if (row === undefined) return undefined;
    return this.matrix.subarray(row * this.dimension, (row + 1) * this.dimension);
  }
}

/** Write a packed store (`features.npy` + `ids.json`) atomically. */
export async function writePackedFeatures(
  dir: string,
  ids: string[],
  vectors: Float32Array[],
  dtype: 'float32' | 'float16' = 'float32',
): Promise<void> {
  if (ids.length !== vectors.length || ids.length === 0) {
    throw new Error(`writePackedFeatures: ${ids.length} ids for ${vectors.length} vectors`);
  }
  const d = vectors[0].length;
  const matrix = new Float32Array(ids.length * d);
  vectors.forEach((v, i) => {
    if (v.length !== d)
      throw new Error(`writePackedFeatures: vector of ${ids[i]} has ${v.length} values, expected ${d}`);
    matrix.set(v, i * d);
  });
  await mkdir(dir, { recursive: true });
  const data = dtype === 'float16' ? encodeFloat16(matrix) : matrix;
  await writeFileAtomic(join(dir, 'features.npy'), encodeNpy(data, [ids.length, d], dtype));
  await writeFileAtomic(join(dir, 'ids.json'), new TextEncoder().encode(JSON.stringify(ids)));
}

/** Features for a batch of clips as one `[n, d]` matrix; missing clips are an error or skipped and reported. */
export async function gatherFeatures(
  store: FeatureStore,
  ids: string[],
  onMissing: 'error' | 'skip' = 'error',
): Promise<{ matrix: Float32Array; found: number[]; missing: string[] }> {
  const vectors: Float32Array[] = [];
  const found: number[] = [];
  const missing: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const vector = await store.get(ids[i]);
    if (vector) {
      vectors.push(vector);
      found.push(i);
    } else missing.push(ids[i]);
  }
  if (missing.length > 0 && onMissing === 'error') {
    const shown = missing.slice(0, 5).join(', ');
    throw new Error(
      `no external feature for ${missing.length} clip(s): ${shown}${missing.length > 5 ? ', ...' : ''} ` +
        `(precompute them with 'cat-audio features', or skip such clips with onMissing 'skip')`,
    );
  }
  const matrix = new Float32Array(vectors.length * store.dimension);
  vectors.forEach((v, i) => matrix.set(v, i * store.dimension));
  return { matrix, found, missing };
}
