import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CAT_FBANK_OPTIONS, CAT_SAMPLE_RATE, decodeNpy, encodeNpy, type Fbank } from '@cat/frontend';
import { writeFileAtomic } from '@cat/frontend/node';

/** Bump when what the cache stores changes meaning, so old entries are never read as new ones. */
const cacheFormat = 1;

/** The identity of an audio file's contents as far as a cache can tell without reading it. */
export interface FileStamp {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * On-disk cache of natural-length fbanks (before padding, cropping, normalisation and augmentation, so one
 * cache serves every target length and preset). An entry is `<dir>/<2 hex>/<sha256>.npy`, float32
 * [frames, bins], keyed by the file's absolute path, size and mtime and by the front-end options; a
 * changed file gets a new key. Entries are written atomically (temporary file + rename), so processes
 * sharing a cache never read half an entry; an unreadable or implausible entry counts as a miss and is
 * rewritten.
 */
export class FbankCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** The entry's file for a clip. */
  entryPath(stamp: FileStamp): string {
    const key = JSON.stringify({
      cacheFormat,
      path: resolve(stamp.path),
      size: stamp.size,
      mtimeMs: stamp.mtimeMs,
      sampleRate: CAT_SAMPLE_RATE,
      fbank: CAT_FBANK_OPTIONS,
    });
    const hash = createHash('sha256').update(key).digest('hex');
    return join(this.dir, hash.slice(0, 2), `${hash}.npy`);
  }

  /** The cached fbank, or undefined when absent or damaged. */
  async get(stamp: FileStamp): Promise<Fbank | undefined> {
    const path = this.entryPath(stamp);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return undefined;
    }
    try {
      const array = decodeNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
      const [frames, bins] = array.shape;
      if (array.dtype !== 'float32' || array.shape.length !== 2 || frames < 1 || bins < 1) return undefined;
      for (let i = 0; i < array.data.length; i++) if (!Number.isFinite(array.data[i])) return undefined;
      return { data: array.data as Float32Array, frames, bins };
    } catch {
      return undefined;
    }
  }

  async put(stamp: FileStamp, fbank: Fbank): Promise<void> {
    const path = this.entryPath(stamp);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFileAtomic(path, encodeNpy(fbank.data, [fbank.frames, fbank.bins]));
  }
}
