import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sonicPiFolder } from '../src/sonic-pi.js';
import { audioSampleCount } from '../src/wav.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recipe-kit-wav-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A RIFF/WAVE file from its chunks (id, bytes); odd-sized chunks get their pad byte. */
function riff(chunks: [string, Uint8Array][], sizeOverride?: number): Uint8Array {
  const parts: number[] = [];
  const push32 = (n: number) => parts.push(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255);
  for (const c of 'WAVE') parts.push(c.charCodeAt(0));
  for (const [id, bytes] of chunks) {
    for (const c of id) parts.push(c.charCodeAt(0));
    push32(id === 'data' && sizeOverride !== undefined ? sizeOverride : bytes.length);
    parts.push(...bytes);
    if (bytes.length % 2 === 1) parts.push(0);
  }
  const out = new Uint8Array(8 + parts.length);
  out.set([82, 73, 70, 70]);
  new DataView(out.buffer).setUint32(4, parts.length, true);
  out.set(parts, 8);
  return out;
}

/** A `fmt ` chunk of 16-bit PCM. */
function fmt(channels: number, rate: number): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 1, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, rate, true);
  view.setUint32(8, rate * channels * 2, true);
  view.setUint16(12, channels * 2, true);
  view.setUint16(14, 16, true);
  return bytes;
}

describe('audioSampleCount', () => {
  const pcm = (frames: number, channels: number) => new Uint8Array(frames * channels * 2);

  it('counts samples per channel from the header, past other chunks and their pad bytes', async () => {
    const cases: [string, Uint8Array, number][] = [
      ['plain.wav', encodeWav(new Float32Array(12_345), 16_000), 12_345],
      [
        'stereo.wav',
        riff([
          ['fmt ', fmt(2, 44_100)],
          ['data', pcm(700, 2)],
        ]),
        700,
      ],
      [
        'list-chunk.wav',
        riff([
          ['fmt ', fmt(1, 16_000)],
          ['LIST', new Uint8Array(7)],
          ['data', pcm(333, 1)],
        ]),
        333,
      ],
    ];
    for (const [name, bytes, expected] of cases) {
      await writeFile(join(dir, name), bytes);
      expect(await audioSampleCount(join(dir, name)), name).toBe(expected);
    }
  });

  it("takes the rest of the file as data when the size is a streaming writer's 0 or 0xFFFFFFFF", async () => {
    for (const size of [0, 0xffffffff]) {
      const path = join(dir, `streamed-${size}.wav`);
      await writeFile(
        path,
        riff(
          [
            ['fmt ', fmt(1, 16_000)],
            ['data', pcm(500, 1)],
          ],
          size,
        ),
      );
      expect(await audioSampleCount(path)).toBe(500);
    }
  });

  it('decodes other formats to count them (a Sonic Pi FLAC)', async () => {
    const flac = join(sonicPiFolder(), 'bd_808.flac');
    expect(await audioSampleCount(flac)).toBe((await readAudioFile(flac)).samples.length);
  });

  it('names the file it cannot read', async () => {
    await expect(audioSampleCount(join(dir, 'missing.wav'))).rejects.toThrow(/missing\.wav/);
  });
});
