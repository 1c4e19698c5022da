/**
 * Embeddings through the command line itself: `cat-audio embed` (run in-process through @cat/cli's `main`,
 * exactly what `pnpm cat-audio embed …` runs) over a file or a folder, the .npy files read back.
 */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@cat/cli';
import type { NpyArray } from '@cat/frontend';
import { readNpyFile } from '@cat/frontend/node';
import type { Granularity, ModelName } from '@cat/layers';

/** The reference's feature-extraction granularities (EAT `feature_extract.py`): CLS + patches, CLS, patches. */
export const GRANULARITIES: readonly Granularity[] = ['all', 'utterance', 'frame'];

/** The three real clips in `assets/clips`: 16 kHz mono WAV, 44.1 kHz stereo FLAC, 44.1 kHz mono FLAC (all CC0). */
export const CLIPS_FOLDER = fileURLToPath(new URL('../assets/clips', import.meta.url));

export interface EmbedOptions {
  /** An audio file (then `output` is an .npy file) or a folder (then `output` is a folder, one .npy per clip). */
  input: string;
  output: string;
  granularity?: Granularity;
  model?: ModelName;
  /** A checkpoint (pre-training layout: the student, or `teacher`; or fine-tuned); else `initSeed`. */
  weights?: string;
  teacher?: boolean;
  /** A random initialisation (untrained: for shapes and plumbing, not for features). */
  initSeed?: number;
  targetLength?: number;
  backend?: string;
}

/** The `cat-audio embed` arguments for these options. */
export function embedArguments(options: EmbedOptions): string[] {
  const args = ['embed', options.input, options.output, '--model', options.model ?? 'cat-base'];
  args.push('--granularity', options.granularity ?? 'all');
  if (options.weights !== undefined) args.push('--weights', options.weights);
  if (options.initSeed !== undefined) args.push('--init-seed', String(options.initSeed));
  if (options.teacher) args.push('--teacher');
  if (options.targetLength !== undefined) args.push('--target-length', String(options.targetLength));
  if (options.backend !== undefined) args.push('--backend', options.backend);
  return args;
}

/** Runs `cat-audio embed`; returns its log lines (`in -> out [rows, D]` per clip) or throws its message. */
export async function runEmbed(options: EmbedOptions): Promise<string[]> {
  const log: string[] = [];
  const status = await main(embedArguments(options), {
    stdout: (line) => log.push(line),
    stderr: (line) => log.push(line),
  });
  if (status !== 0) throw new Error(log.join('\n') || `cat-audio embed exited with status ${status}`);
  return log;
}

/** Every `.npy` of a folder by clip name (file name without `.npy`), sorted by name. */
export async function readEmbeddings(folder: string): Promise<Map<string, NpyArray>> {
  const names = (await readdir(folder)).filter((name) => extname(name) === '.npy').sort();
  if (names.length === 0) throw new Error(`${folder}: no .npy files`);
  const embeddings = new Map<string, NpyArray>();
  for (const name of names) embeddings.set(basename(name, '.npy'), await readNpyFile(join(folder, name)));
  return embeddings;
}

/** Rows `[from, to)` of a [rows, D] array as one vector: their mean (one row: that row). */
export function meanOfRows(array: NpyArray, from = 0, to = array.shape[0]): Float64Array {
  if (array.shape.length !== 2) throw new Error(`expected [rows, D], got [${array.shape.join(', ')}]`);
  const width = array.shape[1];
  if (!(from >= 0 && to <= array.shape[0] && to > from)) {
    throw new Error(`rows ${from}..${to} are outside [0, ${array.shape[0]})`);
  }
  const mean = new Float64Array(width);
  for (let row = from; row < to; row++) {
    for (let d = 0; d < width; d++) mean[d] += Number(array.data[row * width + d]);
  }
  return mean.map((value) => value / (to - from));
}

/**
 * How many patch tokens (rows of a `frame` array, or of `all` after the CLS row) cover audio rather than padding:
 * tokens are ordered `time_patch * 8 + freq_patch`, 16 frames per time patch, and a clip of `frames` fbank frames
 * padded to `targetLength` fills the first ⌈frames / 16⌉ time patches.
 */
export function audioPatchCount(frames: number, targetLength = 1024, freqPatches = 8): number {
  return Math.min(Math.ceil(frames / 16), targetLength / 16) * freqPatches;
}

export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cosine of vectors of ${a.length} and ${b.length} values`);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return dot / Math.sqrt(aa * bb);
}

/** A Markdown table of pairwise cosine similarities. */
export function similarityTable(vectors: ReadonlyMap<string, ArrayLike<number>>): string[] {
  const names = [...vectors.keys()];
  const rows = [`| | ${names.join(' | ')} |`, `| --- |${' ---: |'.repeat(names.length)}`];
  for (const a of names) {
    const cells = names.map((b) => cosineSimilarity(vectors.get(a)!, vectors.get(b)!).toFixed(3));
    rows.push(`| ${a} | ${cells.join(' | ')} |`);
  }
  return rows;
}
