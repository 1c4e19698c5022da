/**
 * Node-only file helpers (`@cat/frontend/node`). Everything else in the package runs in browsers too.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.js';
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

export {
  type FileContent,
  syncDirectory,
  writeAndSync,
  writeFileAtomic,
  writeJsonAtomic,
} from './atomic-file.js';
