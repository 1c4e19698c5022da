import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { NORMALIZATION_PRESETS, type NpyArray, referenceFbank } from '@cat/frontend';
import { readAudioFile, readNpyFile } from '@cat/frontend/node';
import {
  checkpointTensors,
  createEncoder,
  type Embedding,
  FeatureExtractor,
  type FeatureExtractorOptions,
  prepareBackend,
  readSafetensors,
  writeSafetensors,
} from '@cat/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  audioPatchCount,
  CLIPS_FOLDER,
  cosineSimilarity,
  embedArguments,
  GRANULARITIES,
  meanOfRows,
  readEmbeddings,
  runEmbed,
  similarityTable,
} from '../src/index.js';

let dir: string;
const TARGET_LENGTH = 512; // 5.12 s: half the default, to keep the test short
const PATCHES = (TARGET_LENGTH / 16) * 8; // 32 time × 8 frequency patches

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'example-embed-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The reference input of one clip and its embedding through @cat/layers' FeatureExtractor, without the CLI. */
async function direct(extractor: FeatureExtractor, file: string): Promise<Embedding> {
  const audio = await readAudioFile(file);
  const fbank = referenceFbank(audio.samples, audio.sampleRate, {
    targetLength: TARGET_LENGTH,
    normalize: NORMALIZATION_PRESETS.audioset,
  });
  return extractor.embed(fbank.data, 'all');
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function rows(array: NpyArray, from: number, to: number): Float32Array {
  const width = array.shape[1];
  return (array.data as Float32Array).slice(from * width, to * width);
}

describe('cat-audio embed on a folder of real clips', () => {
  it('writes one .npy per clip per granularity, equal to the FeatureExtractor on the reference input', async () => {
    const options = { input: CLIPS_FOLDER, model: 'cat-tiny' as const, initSeed: 3, backend: 'wasm' };
    for (const granularity of GRANULARITIES) {
      await runEmbed({
        ...options,
        granularity,
        output: join(dir, granularity),
        targetLength: TARGET_LENGTH,
      });
    }
    const clips = (await readdir(CLIPS_FOLDER)).sort();
    expect(clips).toEqual(['guit_harmonics_16k.wav', 'loop_amen_44k_stereo.flac', 'misc_crow.flac']);
    const all = await readEmbeddings(join(dir, 'all'));
    const utterance = await readEmbeddings(join(dir, 'utterance'));
    const frame = await readEmbeddings(join(dir, 'frame'));
    const names = clips.map((clip) => basename(clip, extname(clip)));
    expect([...all.keys()]).toEqual(names);

    const extractor = new FeatureExtractor({ model: 'cat-tiny', seed: 3 });
    for (const [i, name] of names.entries()) {
      const saved = all.get(name)!;
      expect(saved.dtype).toBe('float32');
      expect(saved.shape).toEqual([1 + PATCHES, 192]);
      expect(utterance.get(name)!.shape).toEqual([1, 192]);
      expect(frame.get(name)!.shape).toEqual([PATCHES, 192]);
      const expected = await direct(extractor, join(CLIPS_FOLDER, clips[i]));
      expect(maxAbsDifference(saved.data, expected.data)).toBeLessThan(1e-6);
      // utterance = the CLS row of `all`, frame = its patch rows, whichever run wrote them.
      expect(maxAbsDifference(utterance.get(name)!.data, rows(saved, 0, 1))).toBeLessThan(1e-6);
      expect(maxAbsDifference(frame.get(name)!.data, rows(saved, 1, 1 + PATCHES))).toBeLessThan(1e-6);
    }
    extractor.dispose();
    // Three different recordings give three different CLS vectors.
    const cls = names.map((name) => rows(all.get(name)!, 0, 1));
    expect(cosineSimilarity(cls[0], cls[1])).toBeLessThan(0.9999);
    expect(cosineSimilarity(cls[0], cls[2])).toBeLessThan(0.9999);
  });

  it('embeds one file with a checkpoint given by --weights (student and --teacher)', async () => {
    const student = createEncoder('cat-tiny', 5);
    const teacher = createEncoder('cat-tiny', 6);
    const tensors = checkpointTensors({ encoder: student });
    for (const [name, tensor] of checkpointTensors({ encoder: teacher })) tensors.set(`_ema.${name}`, tensor);
    student.dispose();
    teacher.dispose();
    const weights = join(dir, 'pretrained.safetensors');
    await writeFile(weights, writeSafetensors(tensors));
    const clip = join(CLIPS_FOLDER, 'loop_amen_44k_stereo.flac');
    const options = { input: clip, model: 'cat-tiny' as const, weights, targetLength: TARGET_LENGTH };
    await runEmbed({ ...options, output: join(dir, 'student.npy') });
    await runEmbed({ ...options, output: join(dir, 'teacher.npy'), teacher: true, granularity: 'utterance' });
    const loaded = readSafetensors(writeSafetensors(tensors), weights);
    for (const [file, use, rowsKept] of [
      ['student.npy', 'student', 1 + PATCHES],
      ['teacher.npy', 'teacher', 1],
    ] as const) {
      const saved = await readNpyFile(join(dir, file));
      expect(saved.shape).toEqual([rowsKept, 192]);
      const extractor = new FeatureExtractor({
        model: 'cat-tiny',
        weights: loaded,
        use,
      } as FeatureExtractorOptions);
      const expected = await direct(extractor, clip);
      extractor.dispose();
      expect(maxAbsDifference(saved.data, expected.data.subarray(0, rowsKept * 192))).toBeLessThan(1e-6);
    }
  });

  it('names the folder when it holds no audio', async () => {
    await expect(
      runEmbed({ input: dir, output: join(dir, 'none'), initSeed: 1, model: 'cat-tiny' }),
    ).rejects.toThrow(/no audio files/);
  });
});

describe('helpers', () => {
  it('builds the command line and pools and compares vectors', () => {
    expect(
      embedArguments({ input: 'in', output: 'out', initSeed: 2, granularity: 'frame', model: 'cat-tiny' }),
    ).toEqual(['embed', 'in', 'out', '--model', 'cat-tiny', '--granularity', 'frame', '--init-seed', '2']);
    const array: NpyArray = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [3, 2], dtype: 'float32' };
    expect(Array.from(meanOfRows(array))).toEqual([3, 4]);
    expect(Array.from(meanOfRows(array, 1))).toEqual([4, 5]);
    expect(() => meanOfRows(array, 2, 2)).toThrow(/outside/);
    // The guitar clip (3.53 s → 351 frames) fills ⌈351 / 16⌉ = 22 time patches of 8 tokens; a 20 s clip all 64.
    expect(audioPatchCount(351)).toBe(176);
    expect(audioPatchCount(351, 128)).toBe(64);
    expect(audioPatchCount(1998)).toBe(512);
    expect(cosineSimilarity([1, 0], [0, 2])).toBe(0);
    expect(cosineSimilarity([1, 1], [2, 2])).toBeCloseTo(1, 12);
    expect(
      similarityTable(
        new Map([
          ['a', [1, 0]],
          ['b', [0, 1]],
        ]),
      ),
    ).toEqual(['| | a | b |', '| --- | ---: | ---: |', '| a | 1.000 | 0.000 |', '| b | 0.000 | 1.000 |']);
  });
});
