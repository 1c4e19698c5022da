import { readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeNpy, NORMALIZATION_PRESETS, referenceFbank } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipProblem } from '../src/clip-features.js';
import { type FbankBatch, FbankLoader, type FbankLoaderOptions } from '../src/fbank-loader.js';
import { multiHot, smoothedOneHot } from '../src/targets.js';
import type { ClipEntry, Dataset } from '../src/types.js';
import { tone, wavBytes, writeBytes } from './audio.js';
import { temporaryTree } from './fixtures.js';
import { buildWorkerBundle } from './worker-bundle.js';

let root: string;
let remove: () => Promise<void>;
let workerScript: string;
const good: ClipEntry[] = [];
const broken: { entry: ClipEntry; kind: string }[] = [];
const labels = { labelKeys: ['a', 'b', 'c'], labelNames: ['alpha', 'beta', 'gamma'] };

function dataset(entries: ClipEntry[]): Dataset {
  return { entries, ...labels, problems: [] };
}

/** The good clips with a broken one after every third, then the other broken ones. */
function mixed(): ClipEntry[] {
  const entries: ClipEntry[] = [];
  good.forEach((entry, i) => {
    entries.push(entry);
    if (i % 3 === 2) entries.push(broken[(i - 2) / 3].entry);
  });
  return [...entries, ...broken.slice(good.length / 3).map((b) => b.entry)];
}

async function collect(loader: FbankLoader): Promise<{ batches: FbankBatch[]; cursors: object[] }> {
  const batches: FbankBatch[] = [];
  const cursors: object[] = [];
  for await (const batch of loader.epoch()) {
    batches.push(batch);
    cursors.push(loader.cursor);
  }
  return { batches, cursors };
}

function bytes(array: Float32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

function expectSameBatches(actual: FbankBatch[], expected: FbankBatch[]): void {
  expect(actual.map((b) => b.ids)).toEqual(expected.map((b) => b.ids));
  actual.forEach((batch, i) => {
    expect(bytes(batch.inputs).equals(bytes(expected[i].inputs))).toBe(true);
    expect(bytes(batch.targets).equals(bytes(expected[i].targets))).toBe(true);
    expect(batch.mixupLambda).toBe(expected[i].mixupLambda);
  });
}

const quiet = { log: false as const };

beforeAll(async () => {
  ({ root, remove } = await temporaryTree({}));
  workerScript = await buildWorkerBundle();
  for (let i = 0; i < 12; i++) {
    // 16 and 32 kHz, int16 and float WAVs, 1 to 1.5 s: 98 to 148 frames around the target of 128.
    const rate = i % 3 === 0 ? 32000 : 16000;
    const path = join(root, `good/clip${i}.wav`);
    await writeBytes(
      path,
      wavBytes(tone(1 + (i % 3) * 0.25, rate, 200 + 90 * i, i + 1), rate, { float: i % 4 === 1 }),
    );
    const labelList = i % 5 === 0 ? [i % 3, (i + 1) % 3] : [i % 3];
    good.push({ id: `clip${i}`, path, labels: labelList });
  }
  const second = tone(1, 16000, 440);
  const nan = tone(1, 16000, 440);
  nan[100] = Number.NaN;
  const files: [string, string, Uint8Array | string | undefined][] = [
    ['empty', 'empty', ''],
    ['truncated', 'truncated', wavBytes(second, 16000, { dataBytes: 4 * second.length })],
    ['garbage', 'undecodable', 'this is not audio, just some text bytes in a .wav file'],
    ['nan', 'undecodable', wavBytes(nan, 16000, { float: true })],
    ['silence', 'silent', wavBytes(new Float32Array(16000), 16000)],
    ['missing', 'missing', undefined],
    ['rate', 'bad-sample-rate', wavBytes(second, 500)],
    ['short', 'too-short', wavBytes(tone(0.3, 16000, 300), 16000)],
  ];
  for (const [name, kind, contents] of files) {
    const path = join(root, `broken/${name}.wav`);
    if (contents !== undefined) await writeBytes(path, contents);
    broken.push({ entry: { id: name, path, labels: [0] }, kind });
  }
  // A fine file whose manifest size is under the reference's 10 000 samples: dropped up front.
  broken.push({
    entry: { id: 'tiny', path: good[1].path, labels: [0], numSamples: 5000 },
    kind: 'too-short',
  });
});

afterAll(async () => {
  await remove();
  await rm(join(workerScript, '..'), { recursive: true, force: true });
});

describe('FbankLoader', () => {
  it('yields [B, T, 128] batches equal to referenceFbank of each file, with multi-hot targets', async () => {
    const loader = new FbankLoader(dataset(good), {
      batchSize: 5,
      targetLength: 128,
      normalize: 'audioset',
      shuffle: false,
      workers: 0,
      ...quiet,
    });
    const { batches } = await collect(loader);
    expect(batches.map((b) => b.size)).toEqual([5, 5, 2]);
    for (const [k, batch] of batches.entries()) {
      expect([batch.frames, batch.bins, batch.numClasses]).toEqual([128, 128, 3]);
      expect(batch.inputs.length).toBe(batch.size * 128 * 128);
      expect(batch.targets.length).toBe(batch.size * 3);
      for (let b = 0; b < batch.size; b++) {
        const entry = good[5 * k + b];
        expect(batch.ids[b]).toBe(entry.id);
        const audio = await readAudioFile(entry.path);
        const expected = referenceFbank(audio.samples, audio.sampleRate, {
          targetLength: 128,
          normalize: NORMALIZATION_PRESETS.audioset,
        });
        const row = batch.inputs.subarray(b * 128 * 128, (b + 1) * 128 * 128);
        expect(bytes(row).equals(bytes(expected.data))).toBe(true);
        expect([...batch.targets.subarray(3 * b, 3 * b + 3)]).toEqual([...multiHot(entry.labels, 3)]);
      }
    }
    // Padding frames of a 1 s clip (98 frames) hold the normalised zero: (0 + 4.268) / (2 · 4.569).
    expect(batches[0].inputs[120 * 128]).toBeCloseTo(4.268 / 9.138, 6);
    expect(loader.cursor).toEqual({ seed: 0, epoch: 1, position: 0 });
    expect(loader.report()).toMatchObject({ clips: 12, delivered: 12, skipped: [], counts: {} });
  });

  it('skips every kind of broken input, reports each file once, and keeps batches full', async () => {
    const lines: string[] = [];
    // Lines the manifest parser already dropped travel along into the report and the log.
    const problem = {
      file: 'train.tsv',
      line: 7,
      reason: 'wrong field count: 3 instead of 2 (TAB-separated)',
    };
    const loader = new FbankLoader(
      { ...dataset(mixed()), problems: [problem] },
      {
        batchSize: 4,
        targetLength: 64,
        shuffle: false,
        workers: 0,
        log: (line) => lines.push(line),
      },
    );
    expect(loader.size).toBe(mixed().length - 1); // the entry with a manifest size < 10 000
    for (let epoch = 0; epoch < 2; epoch++) {
      const { batches } = await collect(loader);
      expect(batches.map((b) => b.size)).toEqual([4, 4, 4]);
      expect(batches.flatMap((b) => b.ids)).toEqual(good.map((e) => e.id));
      for (const batch of batches) expect(batch.inputs.every(Number.isFinite)).toBe(true);
    }
    const report = loader.report();
    expect(report.manifestProblems).toEqual([problem]);
    expect(lines[0]).toBe('train.tsv:7: wrong field count: 3 instead of 2 (TAB-separated)');
    const skipped = new Map(report.skipped.map((s) => [s.path, s]));
    expect(report.skipped.length).toBe(broken.length);
    for (const { entry, kind } of broken) expect(skipped.get(entry.path)?.kind).toBe(kind);
    expect(skipped.get(broken[1].entry.path)?.reason).toMatch(/declares .* bytes but only/);
    expect(skipped.get(broken[3].entry.path)?.reason).toMatch(/must be finite/);
    expect(skipped.get(broken[8].entry.path)?.reason).toBe('manifest size 5000 < 10000 samples');
    expect(report.counts).toEqual({
      empty: 1,
      truncated: 1,
      undecodable: 2,
      silent: 1,
      missing: 1,
      'bad-sample-rate': 1,
      'too-short': 2,
    });
    // One line per broken file over both epochs, plus one summary per epoch.
    for (const { entry } of broken) expect(lines.filter((l) => l.includes(entry.path)).length).toBe(1);
    expect(lines.filter((l) => l.startsWith('epoch ')).length).toBe(2);
    expect(lines.at(-1)).toMatch(/^epoch 1: 3 batches; 8 clips skipped \(0 new files\)/);
    // Decoders reject NaN WAVs already; other sources are caught by the clip check.
    expect(
      clipProblem({ samples: Float32Array.of(...tone(1, 16000, 100), Number.NaN), sampleRate: 16000 }),
    ).toEqual({
      kind: 'not-finite',
      reason: 'sample 16000 is NaN',
    });
  });

  it('resumes from a saved cursor with the batches an uninterrupted run yields, augmentations included', async () => {
    const options: FbankLoaderOptions = {
      batchSize: 3,
      targetLength: 100,
      normalize: 'esc50',
      seed: 11,
      workers: 0,
      rollGain: true,
      randomCrop: true,
      noise: true,
      mixup: { alpha: 0.8, probability: 1 },
      specAugment: { freqMaskParam: 20, timeMaskParam: 20 },
      ...quiet,
    };
    const whole = new FbankLoader(dataset(mixed()), options);
    const first = await collect(whole);
    const second = await collect(whole);
    expect(first.batches.map((b) => b.size)).toEqual([3, 3, 3, 3]);
    expect(second.batches.map((b) => b.epoch)).toEqual([1, 1, 1, 1]);
    // Another permutation each epoch; mixup really mixed.
    expect(first.batches.flatMap((b) => b.ids)).not.toEqual(second.batches.flatMap((b) => b.ids));
    expect(first.batches.every((b) => b.mixupLambda > 0 && b.mixupLambda < 1)).toBe(true);
    for (const stop of [1, 2]) {
      const cursor = JSON.parse(JSON.stringify(first.cursors[stop - 1]));
      const resumed = await collect(
        new FbankLoader(dataset(mixed()), { ...options, seed: undefined, cursor }),
      );
      expectSameBatches(resumed.batches, first.batches.slice(stop));
    }
    // A cursor at an epoch's end continues with the next epoch.
    const next = await collect(
      new FbankLoader(dataset(mixed()), { ...options, cursor: first.cursors[3] as never }),
    );
    expectSameBatches(next.batches, second.batches);
    // Without augmentation the same clip differs: the augmentations did something.
    const plain = await collect(
      new FbankLoader(dataset(mixed()), {
        ...options,
        rollGain: false,
        noise: false,
        mixup: undefined,
        specAugment: undefined,
        randomCrop: false,
      }),
    );
    expect(plain.batches[0].ids).toEqual(first.batches[0].ids);
    expect(bytes(plain.batches[0].inputs).equals(bytes(first.batches[0].inputs))).toBe(false);
  });

  it('gives identical batches with worker threads and in-process', async () => {
    const options: FbankLoaderOptions = {
      batchSize: 4,
      targetLength: 128,
      normalize: 'spc2',
      seed: 5,
      rollGain: true,
      noise: true,
      ...quiet,
    };
    const inProcess = await collect(new FbankLoader(dataset(mixed()), { ...options, workers: 0 }));
    const threaded = new FbankLoader(dataset(mixed()), { ...options, workers: 2, workerScript, prefetch: 1 });
    try {
      expectSameBatches((await collect(threaded)).batches, inProcess.batches);
      expect(threaded.report().counts).toEqual({
        empty: 1,
        truncated: 1,
        undecodable: 2,
        silent: 1,
        missing: 1,
        'bad-sample-rate': 1,
        'too-short': 2,
      });
    } finally {
      await threaded.close();
    }
    // Without a built worker script the loader says so and decodes in-process.
    const lines: string[] = [];
    const fallback = new FbankLoader(dataset(mixed()), {
      ...options,
      workers: 2,
      workerScript: join(root, 'nowhere/worker.js'),
      log: (line) => lines.push(line),
    });
    expectSameBatches((await collect(fallback)).batches, inProcess.batches);
    expect(lines.filter((line) => /no worker script at .*nowhere.worker\.js/.test(line)).length).toBe(1);
  });

  it('serves later epochs from the fbank cache, identically, and survives damaged cache files', async () => {
    const cache = join(root, 'cache');
    const options: FbankLoaderOptions = {
      batchSize: 5,
      targetLength: 128,
      normalize: 'audioset',
      shuffle: false,
      workers: 0,
      cache,
      ...quiet,
    };
    const loader = new FbankLoader(dataset(good), options);
    const cold = await collect(loader);
    expect(loader.report().cacheHits).toBe(0);
    const warm = await collect(loader);
    expect(loader.report().cacheHits).toBe(12);
    expectSameBatches(warm.batches, cold.batches);
    // Another target length and preset reuse the same entries (they hold the natural-length fbank).
    const other = new FbankLoader(dataset(good), { ...options, targetLength: 64, normalize: 'esc50' });
    const otherBatches = await collect(other);
    expect(other.report().cacheHits).toBe(12);
    const uncached = await collect(
      new FbankLoader(dataset(good), { ...options, targetLength: 64, normalize: 'esc50', cache: undefined }),
    );
    expectSameBatches(otherBatches.batches, uncached.batches);

    const entries: string[] = [];
    for (const folder of await readdir(cache))
      for (const file of await readdir(join(cache, folder))) entries.push(join(cache, folder, file));
    expect(entries.length).toBe(12);
    expect(entries.every((file) => file.endsWith('.npy'))).toBe(true);
    await writeFile(entries[0], 'garbage');
    const whole = await readFile(entries[1]);
    await writeFile(entries[1], whole.subarray(0, whole.length - 100));
    const repaired = new FbankLoader(dataset(good), options);
    expectSameBatches((await collect(repaired)).batches, cold.batches);
    expect(repaired.report().cacheHits).toBe(10);
    for (const file of entries.slice(0, 2))
      expect(decodeNpy(new Uint8Array(await readFile(file))).shape[1]).toBe(128);

    // A changed file gets a new cache entry, never the stale one.
    const changed = good[4].path;
    await writeBytes(changed, wavBytes(tone(1, 16000, 1234), 16000));
    await utimes(changed, new Date(), new Date(Date.now() + 5000));
    const after = new FbankLoader(dataset(good), options);
    const { batches } = await collect(after);
    expect(after.report().cacheHits).toBe(11);
    const audio = await readAudioFile(changed);
    const expected = referenceFbank(audio.samples, audio.sampleRate, {
      targetLength: 128,
      normalize: NORMALIZATION_PRESETS.audioset,
    });
    expect(bytes(batches[0].inputs.subarray(4 * 128 * 128)).equals(bytes(expected.data))).toBe(true);

    // Two loaders filling one fresh cache at once: same batches, complete entries, no temporary files left.
    const shared = join(root, 'shared-cache');
    const [one, two] = await Promise.all(
      [0, 1].map(() => collect(new FbankLoader(dataset(good), { ...options, cache: shared }))),
    );
    expectSameBatches(one.batches, batches);
    expectSameBatches(two.batches, batches);
    const sharedFiles = (await readdir(shared, { recursive: true })).filter((name) => name.includes('.'));
    expect(sharedFiles.length).toBe(12);
    expect(sharedFiles.every((name) => name.endsWith('.npy') && !name.includes('.tmp'))).toBe(true);

    // Waveform augmentation happens before the fbank: such clips bypass the cache.
    const rolled = new FbankLoader(dataset(good), { ...options, rollGain: true });
    await collect(rolled);
    expect(rolled.report().cacheHits).toBe(0);
  });

  it('shards by rank: the ranks together cover every clip once', async () => {
    const seen: string[] = [];
    for (let rank = 0; rank < 3; rank++) {
      const loader = new FbankLoader(dataset(good), {
        batchSize: 2,
        targetLength: 16,
        rank,
        worldSize: 3,
        seed: 1,
        workers: 0,
        ...quiet,
      });
      expect(loader.size).toBe(4);
      for await (const batch of loader.epoch()) seen.push(...batch.ids);
    }
    expect(seen.sort()).toEqual(good.map((e) => e.id).sort());
  });

  it('draws weighted epochs without replacement, drops the last batch on request, smooths single labels', async () => {
    const weights = good.map((_, i) => (i < 4 ? 0 : 1 + i));
    const loader = new FbankLoader(dataset(good), {
      batchSize: 3,
      targetLength: 16,
      weights,
      samplesPerEpoch: 7,
      dropLast: true,
      workers: 0,
      ...quiet,
    });
    const { batches } = await collect(loader);
    expect(batches.map((b) => b.size)).toEqual([3, 3]);
    const ids = batches.flatMap((b) => b.ids);
    expect(new Set(ids).size).toBe(6);
    expect(ids.some((id) => ['clip0', 'clip1', 'clip2', 'clip3'].includes(id))).toBe(false);

    const single = new FbankLoader(dataset(good), {
      batchSize: 20,
      targetLength: 16,
      singleLabel: true,
      labelSmoothing: 0.1,
      shuffle: false,
      workers: 0,
      ...quiet,
    });
    const [batch] = (await collect(single)).batches;
    const multiLabel = good.filter((e) => e.labels.length > 1);
    expect(single.report().counts).toEqual({ manifest: multiLabel.length });
    expect(batch.size).toBe(12 - multiLabel.length);
    batch.ids.forEach((id, b) => {
      const entry = good.find((e) => e.id === id)!;
      expect([...batch.targets.subarray(3 * b, 3 * b + 3)]).toEqual([
        ...smoothedOneHot(entry.labels[0], 3, 0.1),
      ]);
    });
    expect(() => new FbankLoader(dataset([]), { batchSize: 1, targetLength: 1 })).toThrow(
      /no usable entries/,
    );
    expect(() => new FbankLoader(dataset(good), { batchSize: 0, targetLength: 1 })).toThrow(/batchSize/);
  });
});
