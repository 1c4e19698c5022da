import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../src/decode/index.js';
import { readAudioFile, readNpyFile, writeFileAtomic, writeNpyFile } from '../src/node.js';
import { NpyFormatError } from '../src/npy.js';

const fixtures = new URL('./__fixtures__/decode/', import.meta.url);
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cat-frontend-node-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes the bytes, replaces an existing file and leaves no temporary file behind', async () => {
    const path = join(dir, 'out.bin');
    writeFileSync(path, 'old contents');
    await writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
    expect(Array.from(readFileSync(path))).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('leaves the old file intact and removes its temporary file when the rename fails', async () => {
    const target = join(dir, 'taken');
    mkdirSync(join(target, 'child'), { recursive: true }); // renaming a file over a non-empty directory fails
    await expect(writeFileAtomic(target, Uint8Array.from([9]))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['child']);
  });

  it('rejects, naming the path, when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x.bin'), new Uint8Array(1))).rejects.toThrow(
      /missing/,
    );
  });
});

describe('npy files', () => {
  it('round-trips float32, float64 and int32 arrays', async () => {
    const cases = [
      { data: Float32Array.from([0.5, -1.25, 3, 1e-8, 7, 8]), shape: [2, 3] },
      { data: Float64Array.from([Math.PI, -Math.E]), shape: [2] },
      { data: Int32Array.from([-2147483648, 0, 2147483647, 5]), shape: [2, 1, 2] },
    ];
    for (const [i, { data, shape }] of cases.entries()) {
      const path = join(dir, `a${i}.npy`);
      await writeNpyFile(path, data, shape);
      const read = await readNpyFile(path);
      expect(read.shape).toEqual(shape);
      expect(read.data).toEqual(data);
    }
  });

  it('reads a numpy-written file and names the path in errors', async () => {
    const expected = await readNpyFile(new URL('pcm_s16.wav.expected.npy', fixtures).pathname);
    expect(expected).toMatchObject({ shape: [4000], dtype: 'float32' });
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, 'not numpy');
    await expect(readNpyFile(bad)).rejects.toThrow(NpyFormatError);
    await expect(readNpyFile(bad)).rejects.toThrow(`${bad}: not a readable .npy file`);
  });
});

describe('readAudioFile', () => {
  it('decodes by content, whatever the extension', async () => {
    const path = join(dir, 'clip.dat');
    copyFileSync(new URL('stereo_s16.flac', fixtures), path);
    const decoded = await readAudioFile(path);
    expect(decoded).toMatchObject({ format: 'flac', channels: 2, sampleRate: 16000 });
    expect(decoded.samples).toHaveLength(4000);
  });

  it('names the path in decode and file-system errors', async () => {
    const text = join(dir, 'notes.wav');
    writeFileSync(text, 'just some text');
    await expect(readAudioFile(text)).rejects.toThrow(AudioDecodeError);
    await expect(readAudioFile(text)).rejects.toThrow(`${text}: cannot decode audio: unknown container`);
    await expect(readAudioFile(join(dir, 'absent.wav'))).rejects.toThrow(join(dir, 'absent.wav'));
  });
});
