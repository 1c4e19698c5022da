/**
 * Node-only file helpers (`@cat/frontend/node`). Everything else in the package runs in browsers too.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type DecodedAudio, decodeAudio } from './decode/index.js';
import { decodeNpy, encodeNpy, type NpyArray, type NpyDtype } from './npy.js';

/**
 * Reads a file as a plain Uint8Array view: a Node Buffer's `slice` shares memory instead of copying,
 * which code written for Uint8Array (such as `decodeNpy`) does not expect.
 */
async function readBytes(path: string): Promise<Uint8Array> {
  const buffer = await readFile(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Reads and decodes an audio file (WAV, FLAC, Ogg Vorbis, MP3), mixed to mono. Errors name the path. */
export async function readAudioFile(path: string): Promise<DecodedAudio> {
  return decodeAudio(await readBytes(path), { source: path });
}

/** Reads a `.npy` file. Errors name the path. */
export async function readNpyFile(path: string): Promise<NpyArray> {
  return decodeNpy(await readBytes(path), path);
}

/** Writes a C-order array as `.npy`, atomically (see `writeFileAtomic`). */
export async function writeNpyFile(
  path: string,
  data: Float32Array | Float64Array | Int32Array | Uint16Array,
  shape: number[],
  dtype?: NpyDtype,
): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape, dtype));
}

/**
 * Writes `bytes` to a temporary file in the same directory, flushes it to disk, then renames it over
 * `path`, so readers see either the old file or the complete new one, never a partial write.
 * The temporary file is removed if anything fails.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}
