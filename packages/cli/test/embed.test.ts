import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpy, NORMALIZATION_PRESETS, referenceFbank } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';
import {
  checkpointTensors,
  createEncoder,
  FeatureExtractor,
  prepareBackend,
  writeSafetensors,
} from '@cat/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetPath, BUNDLED_CLIP } from '../src/assets.js';
import { main } from '../src/main.js';

let dir: string;
const clip = assetPath(BUNDLED_CLIP);

async function run(argv: string[]) {
  const err: string[] = [];
  const status = await main(argv, { stdout: () => {}, stderr: (l) => err.push(l) });
  return { status, err: err.join('\n') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cat-embed-'));
  await prepareBackend({ backend: 'wasm' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cat-audio embed', () => {
  it('writes [1 + N, D] CLS and patch tokens equal to the feature extractor on the reference input', async () => {
    const out = join(dir, 'guitar.npy');
    const result = await run([
      'embed',
      clip,
      out,
      '--model',
      'cat-tiny',
      '--init-seed',
      '3',
      '--target-length',
      '128',
      '--backend',
      'wasm',
    ]);
    expect(result.status, result.err).toBe(0);
    const saved = decodeNpy(await readFile(out));
    expect(saved.shape).toEqual([1 + 64, 192]);
    const audio = await readAudioFile(clip);
    const fbank = referenceFbank(audio.samples, audio.sampleRate, {
      targetLength: 128,
      normalize: NORMALIZATION_PRESETS.audioset,
    });
    const expected = new FeatureExtractor({ model: 'cat-tiny', seed: 3 }).embed(fbank.data, 'all');
    let worst = 0;
    expected.data.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - saved.data[i]));
    });
    expect(worst).toBeLessThan(1e-5);
  });

  it('loads --weights from safetensors, with utterance and frame granularities', async () => {
    const weights = join(dir, 'tiny.safetensors');
    await writeFile(weights, writeSafetensors(checkpointTensors({ encoder: createEncoder('cat-tiny', 3) })));
    const cls = join(dir, 'cls.npy');
    const frames = join(dir, 'frames.npy');
    const common = [
      '--model',
      'cat-tiny',
      '--target-length',
      '128',
      '--backend',
      'wasm',
      '--weights',
      weights,
    ];
    expect((await run(['embed', clip, cls, '--granularity', 'utterance', ...common])).status).toBe(0);
    expect((await run(['embed', clip, frames, '--granularity', 'frame', ...common])).status).toBe(0);
    const all = decodeNpy(await readFile(join(dir, 'guitar.npy')));
    const utterance = decodeNpy(await readFile(cls));
    const patches = decodeNpy(await readFile(frames));
    expect(utterance.shape).toEqual([1, 192]);
    expect(patches.shape).toEqual([64, 192]);
    // Same seed, same weights: identical to the --init-seed run's rows.
    expect(Array.from(utterance.data)).toEqual(Array.from(all.data.subarray(0, 192)));
    expect(Array.from(patches.data.subarray(0, 192))).toEqual(Array.from(all.data.subarray(192, 384)));
  });

  it('embeds every audio file of a folder into a folder of .npy files', async () => {
    const input = join(dir, 'in');
    await mkdir(input);
    await copyFile(clip, join(input, 'a.wav'));
    await copyFile(clip, join(input, 'b.wav'));
    await writeFile(join(input, 'notes.txt'), 'not audio');
    const output = join(dir, 'out');
    const result = await run([
      'embed',
      input,
      output,
      '--model',
      'cat-tiny',
      '--init-seed',
      '1',
      '--target-length',
      '64',
      '--granularity',
      'utterance',
      '--backend',
      'wasm',
    ]);
    expect(result.status, result.err).toBe(0);
    const a = decodeNpy(await readFile(join(output, 'a.npy')));
    const b = decodeNpy(await readFile(join(output, 'b.npy')));
    expect(a.shape).toEqual([1, 192]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it('rejects bad calls clearly', async () => {
    const both = await run(['embed', clip, join(dir, 'x.npy'), '--model', 'cat-tiny']);
    expect(both.status).toBe(2);
    expect(both.err).toContain('exactly one of --weights FILE and --init-seed S');
    const length = await run([
      'embed',
      clip,
      join(dir, 'x.npy'),
      '--init-seed',
      '1',
      '--target-length',
      '100',
    ]);
    expect(length.err).toContain('multiple of 16');
    const missing = await run([
      'embed',
      clip,
      join(dir, 'x.npy'),
      '--weights',
      join(dir, 'none.safetensors'),
      '--model',
      'cat-tiny',
    ]);
    expect(missing.status).toBe(1);
    expect(missing.err).toContain('none.safetensors');
  });
});
