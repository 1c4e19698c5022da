import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readAudioFile, readNpyFile, writeFileAtomic, writeNpyFile } from '@cat/frontend/node';
import { SpectralDescriptorEncoder } from './encoders/descriptors.js';
import {
  standardize as applyStandardization,
  type FeatureStandardization,
  FeatureStatistics,
  writeStandardization,
} from './encoders/standardization.js';
import type { ClipInput, ExternalEncoder } from './encoders/types.js';
import { decodeFloat16, encodeFloat16 } from './float16.js';
import { clipId, type FeatureManifestEntry, writeFeatureManifest, writePackedFeatures } from './stores.js';

/** A clip to embed (a `ClipEntry` of @cat/data fits). */
export interface PrecomputeEntry {
  path: string;
  /**
   * The key of its feature (`ClipEntry.id`: the manifest's id or the path below the dataset root without
   * extension); may contain `/`. Default: the file name without extension (`clipId`), as the reference keys them.
   */
  id?: string;
}

export interface PrecomputeProgress {
  total: number;
  /** Clips with a feature: reused from an earlier run plus embedded now. */
  done: number;
  reused: number;
  embedded: number;
  skipped: number;
}

export interface SkippedClip {
  id: string;
  path: string;
  reason: string;
}

export interface PrecomputeOptions {
  encoder: ExternalEncoder;
  entries: PrecomputeEntry[];
  /** Output folder: `<id>.npy` per clip, `manifest.json`, and with `packed` also `features.npy` + `ids.json`. */
  out: string;
  packed?: boolean;
  /** Storage type of the written features. Default float32. */
  dtype?: 'float32' | 'float16';
  /** Clips per `embed` call. Default 16. */
  batchSize?: number;
  /**
   * Standardise every dimension with the statistics of the whole set (saved as `standardization.json`). Default:
   * on for spectral descriptors without statistics of their own (their scales differ by orders of magnitude),
   * off otherwise.
   */
  standardize?: boolean;
  onProgress?: (progress: PrecomputeProgress) => void;
}

export interface PrecomputeResult {
  dimension: number;
  total: number;
  /** Features computed in this run. */
  embedded: number;
  /** Features found from an earlier run. */
  reused: number;
  skipped: SkippedClip[];
  /** Ids with a feature, in entry order. */
  ids: string[];
  /** `out/manifest.json`, or undefined when no clip has a feature. */
  manifest?: string;
  standardization?: FeatureStandardization;
}

/** What a folder's features were made with; a resumed run must match it. */
interface RunDescription {
  encoder: string;
  dimension: number;
  dtype: 'float32' | 'float16';
  standardized: boolean;
}

const DESCRIPTION_FILE = 'encoder.json';
/** One line `{"id", "num_frame"}` per finished clip, appended after its file is in place. */
const LOG_FILE = 'done.jsonl';

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function checkDescription(out: string, description: RunDescription): Promise<void> {
  const path = join(out, DESCRIPTION_FILE);
  const text = await readText(path);
  if (text === undefined) {
    await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(description, null, 1)}\n`));
    return;
  }
  const found = JSON.parse(text) as RunDescription;
  const differences = (Object.keys(description) as (keyof RunDescription)[]).filter(
    (key) => found[key] !== description[key],
  );
  if (differences.length > 0) {
    const shown = differences.map(
      (key) => `${key} ${JSON.stringify(found[key])} != ${JSON.stringify(description[key])}`,
    );
    throw new Error(
      `${out}: holds features made differently (${shown.join(', ')}); use another output folder`,
    );
  }
}

/**
 * Sample counts of finished clips; a line cut short by a kill is ignored (its clip is simply redone), and
 * `torn` says the next append must first end that line.
 */
async function readLog(out: string): Promise<{ done: Map<string, number>; torn: boolean }> {
  const done = new Map<string, number>();
  const text = (await readText(join(out, LOG_FILE))) ?? '';
  for (const line of text.split('\n')) {
    try {
      const { id, num_frame } = JSON.parse(line) as { id: unknown; num_frame: unknown };
      if (typeof id === 'string' && typeof num_frame === 'number') done.set(id, num_frame);
    } catch {
      // an empty or torn line
    }
  }
  return { done, torn: text !== '' && !text.endsWith('\n') };
}

async function readVector(path: string): Promise<Float32Array> {
  const array = await readNpyFile(path);
  return array.dtype === 'float16' ? decodeFloat16(array.data as Uint16Array) : Float32Array.from(array.data);
}

async function writeVector(
  path: string,
  vector: Float32Array,
  dtype: 'float32' | 'float16',
  id: string,
): Promise<void> {
  if (id.includes('/')) await mkdir(dirname(path), { recursive: true });
  if (dtype === 'float32') return writeNpyFile(path, vector, [vector.length], 'float32');
  const bits = encodeFloat16(vector);
  const overflow = bits.findIndex((b) => (b & 0x7fff) === 0x7c00);
  if (overflow >= 0) {
    throw new Error(
      `clip ${id}: value ${vector[overflow]} at ${overflow} is outside the float16 range; use float32`,
    );
  }
  return writeNpyFile(path, bits, [vector.length], 'float16');
}

function checkVector(
  vector: Float32Array | undefined,
  dimension: number,
  clip: ClipInput,
  encoder: string,
): Float32Array {
  const where = `${encoder}: clip ${clip.id} (${clip.path})`;
  if (!(vector instanceof Float32Array)) throw new Error(`${where}: no embedding returned`);
  if (vector.length !== dimension) {
    throw new Error(
      `${where}: embedding has ${vector.length} values, the encoder's dimension is ${dimension}`,
    );
  }
  const bad = vector.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${where}: embedding value ${bad} is ${vector[bad]}`);
  return vector;
}

/** The batch's embeddings; when the batch fails, each clip alone, so one bad clip costs only itself. */
async function embedIsolated(
  encoder: ExternalEncoder,
  clips: ClipInput[],
): Promise<(Float32Array | Error)[]> {
  let vectors: Float32Array[];
  try {
    vectors = await encoder.embed(clips);
  } catch (error) {
    if (clips.length === 1) return [error as Error];
    const out: (Float32Array | Error)[] = [];
    for (const clip of clips) {
      try {
        out.push((await encoder.embed([clip]))[0]);
      } catch (single) {
        out.push(single as Error);
      }
    }
    return out;
  }
  if (vectors.length !== clips.length) {
    throw new Error(`${encoder.name}: ${vectors.length} embeddings for a batch of ${clips.length} clips`);
  }
  return vectors;
}

/** An id usable as a path below the output folder: relative, no empty, `.` or `..` parts. */
function checkId(id: string, path: string): void {
  const parts = id.split('/');
  if (
    isAbsolute(id) ||
    id.includes('\\') ||
    parts.some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new Error(`${path}: clip id '${id}' cannot name a file below the output folder`);
  }
}

function keyedEntries(entries: PrecomputeEntry[], packed: boolean): { id: string; path: string }[] {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  const keyed = entries.map(({ path, id = clipId(path) }) => {
    checkId(id, path);
    const earlier = seen.get(id);
    if (earlier !== undefined) clashes.push(`'${id}': ${earlier} and ${path}`);
    seen.set(id, path);
    return { id, path };
  });
  if (clashes.length > 0) {
    const shown = clashes.slice(0, 3).join('; ');
    throw new Error(`${clashes.length} clip(s) share an id (${shown}${clashes.length > 3 ? '; ...' : ''})`);
  }
  if (packed && seen.has('features')) {
    throw new Error(
      `${seen.get('features')}: a clip with id 'features' would overwrite the packed features.npy`,
    );
  }
  return keyed;
}

/** Raw spectral descriptors mix Hz with unitless ratios: they are standardised unless asked otherwise. */
function standardizesByDefault(encoder: ExternalEncoder): boolean {
  return encoder instanceof SpectralDescriptorEncoder ? encoder.standardization === undefined : false;
}

/**
 * Runs an encoder over clips and stores one vector per clip (`out/<id>.npy`)
 * with the reference's JSON manifest (`out/manifest.json`). Resumable: every file is written atomically and
 * logged once in place, so a rerun after a kill embeds only the clips without a finished feature. Clips whose
 * audio cannot be read or embedded are skipped and reported; a vector of the wrong size or with NaN/Inf is an
 * error naming its clip.
 */
export async function precomputeFeatures(options: PrecomputeOptions): Promise<PrecomputeResult> {
  const { encoder, out, packed = false, dtype = 'float32', batchSize = 16, onProgress } = options;
  const standardize = options.standardize ?? standardizesByDefault(encoder);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const clips = keyedEntries(options.entries, packed);
  const { dimension } = encoder;
  // Standardised features depend on every clip: the raw vectors are the resumable part, kept apart.
  const cacheDir = standardize ? join(out, 'raw') : out;
  const cacheType = standardize ? 'float32' : dtype;
  await mkdir(cacheDir, { recursive: true });
  await checkDescription(out, { encoder: encoder.name, dimension, dtype, standardized: standardize });

  const log = await readLog(out);
  let torn = log.torn;
  // Ids may name subfolders (`dog/a`): list the whole tree once rather than probing each clip.
  const files = new Set(await readdir(cacheDir, { recursive: true }));
  const frames = new Map<string, number>();
  for (const { id } of clips) {
    const count = log.done.get(id);
    if (count !== undefined && files.has(`${id}.npy`)) frames.set(id, count);
  }
  const reused = frames.size;
  const pending = clips.filter(({ id }) => !frames.has(id));
  const skipped: SkippedClip[] = [];
  let embedded = 0;
  const report = () =>
    onProgress?.({ total: clips.length, done: frames.size, reused, embedded, skipped: skipped.length });
  report();

  for (let start = 0; start < pending.length; start += batchSize) {
    const batch: ClipInput[] = [];
    for (const { id, path } of pending.slice(start, start + batchSize)) {
      try {
        const audio = await readAudioFile(path);
        batch.push({ id, path, samples: audio.samples, sampleRate: audio.sampleRate });
      } catch (error) {
        skipped.push({ id, path, reason: (error as Error).message });
      }
    }
    const results = batch.length > 0 ? await embedIsolated(encoder, batch) : [];
    if (frames.size === 0 && batch.length > 0 && results.every((r) => r instanceof Error)) {
      // Every readable clip failing from the start is the encoder's problem, not the clips'.
      throw new Error(
        `${encoder.name} failed on every clip of the first batch: ${(results[0] as Error).message}`,
      );
    }
    const lines: string[] = [];
    for (let i = 0; i < batch.length; i++) {
      const clip = batch[i];
      const result = results[i];
      if (result instanceof Error) {
        skipped.push({ id: clip.id, path: clip.path as string, reason: result.message });
        continue;
      }
      const vector = checkVector(result, dimension, clip, encoder.name);
      await writeVector(join(cacheDir, `${clip.id}.npy`), vector, cacheType, clip.id);
      const count = (clip.samples as Float32Array).length;
      frames.set(clip.id, count);
      lines.push(JSON.stringify({ id: clip.id, num_frame: count }));
      embedded++;
    }
    if (lines.length > 0) {
      await appendFile(join(out, LOG_FILE), `${torn ? '\n' : ''}${lines.join('\n')}\n`);
      torn = false;
    }
    report();
  }

  const finished = clips.filter(({ id }) => frames.has(id));
  const result: PrecomputeResult = {
    dimension,
    total: clips.length,
    embedded,
    reused,
    skipped,
    ids: finished.map(({ id }) => id),
  };
  if (finished.length === 0) return result;

  // Only a packed store needs every vector in memory at once.
  const vectors: Float32Array[] = [];
  if (standardize) {
    const statistics = new FeatureStatistics(dimension);
    for (const { id } of finished) statistics.add(await readVector(join(cacheDir, `${id}.npy`)));
    const stats = statistics.result();
    await writeStandardization(join(out, 'standardization.json'), stats);
    for (const { id } of finished) {
      const vector = applyStandardization(await readVector(join(cacheDir, `${id}.npy`)), stats);
      await writeVector(join(out, `${id}.npy`), vector, dtype, id);
      if (packed) vectors.push(vector);
    }
    result.standardization = stats;
  } else if (packed) {
    for (const { id } of finished) vectors.push(await readVector(join(out, `${id}.npy`)));
  }
  if (packed) await writePackedFeatures(out, result.ids, vectors, dtype);
  const manifest: FeatureManifestEntry[] = finished.map(({ id, path }) => ({
    wav_path: resolve(path),
    clap_path: resolve(out, `${id}.npy`),
    num_frame: frames.get(id) as number,
  }));
  result.manifest = join(out, 'manifest.json');
  await writeFeatureManifest(result.manifest, manifest);
  return result;
}
