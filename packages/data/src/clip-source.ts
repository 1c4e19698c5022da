import { readFile, stat } from 'node:fs/promises';
import { AudioDecodeError, type DecodedAudio, decodeAudio, type Fbank, SeededRandom } from '@cat/frontend';
import {
  type ClipFeatureOptions,
  type ClipProblem,
  clipProblem,
  finishFbank,
  naturalFbank,
} from './clip-features.js';
import { FbankCache, type FileStamp } from './fbank-cache.js';

/** A decoded clip that passed every check, with what a cache key needs. */
export interface ReadableClip {
  audio: DecodedAudio;
  stamp: FileStamp;
}

/** A file that cannot be read as a file, or undefined with its stamp when it can. */
async function stampOf(path: string): Promise<{ stamp: FileStamp } | { problem: ClipProblem }> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return { problem: { kind: 'unreadable', reason: 'not a regular file' } };
    if (info.size === 0) return { problem: { kind: 'empty', reason: 'the file is empty' } };
    return { stamp: { path, size: info.size, mtimeMs: info.mtimeMs } };
  } catch (error) {
    return { problem: fileProblem(error) };
  }
}

function fileProblem(error: unknown): ClipProblem {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { kind: 'missing', reason: 'no such file' };
  return { kind: 'unreadable', reason: (error as Error).message };
}

/**
 * Reads, decodes and checks one audio file; never throws for a bad file (missing, empty, undecodable,
 * truncated, implausible sample rate, non-finite samples, silence, too short) but says what is wrong.
 */
export async function readClip(
  path: string,
  minSamples?: number,
): Promise<ReadableClip | { problem: ClipProblem }> {
  const stamped = await stampOf(path);
  if ('problem' in stamped) return stamped;
  let audio: DecodedAudio;
  try {
    const bytes = await readFile(path);
    audio = await decodeAudio(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      source: path,
    });
  } catch (error) {
    if (error instanceof AudioDecodeError) return { problem: { kind: 'undecodable', reason: error.problem } };
    return { problem: fileProblem(error) };
  }
  if (audio.warnings.length > 0) return { problem: { kind: 'truncated', reason: audio.warnings.join('; ') } };
  const problem = clipProblem(audio, minSamples);
  return problem ? { problem } : { audio, stamp: stamped.stamp };
}

/** One clip to turn into model input; `seed` makes its augmentations reproducible wherever it runs. */
export interface ClipJob {
  path: string;
  seed: number;
}

export type ClipResult = { ok: true; data: Float32Array; cached: boolean } | ({ ok: false } & ClipProblem);

/** Everything a clip's processing depends on; plain data, so it can be handed to a worker thread. */
export interface ClipProcessOptions extends ClipFeatureOptions {
  /** Folder of the fbank cache; the cache is not used for clips with waveform augmentation. */
  cacheDir?: string;
}

/**
 * File → [targetLength, 128] model input, through the cache when one is configured and the clip has no
 * waveform augmentation. Broken files give `{ ok: false, kind, reason }`.
 */
export async function processClip(job: ClipJob, options: ClipProcessOptions): Promise<ClipResult> {
  const random = new SeededRandom(job.seed);
  const cache =
    options.cacheDir !== undefined && !options.rollGain ? new FbankCache(options.cacheDir) : undefined;
  let natural: Fbank | undefined;
  let cached = false;
  if (cache) {
    const stamped = await stampOf(job.path);
    if ('problem' in stamped) return { ok: false, ...stamped.problem };
    natural = await cache.get(stamped.stamp);
    cached = natural !== undefined;
  }
  if (natural === undefined) {
    const clip = await readClip(job.path, options.minSamples);
    if ('problem' in clip) return { ok: false, ...clip.problem };
    natural = naturalFbank(clip.audio, options.rollGain ?? false, random);
    // A failed cache write (full disk, read-only folder) costs speed, not the clip.
    if (cache) await cache.put(clip.stamp, natural).catch(() => {});
  }
  return { ok: true, data: finishFbank(natural, options, random), cached };
}
