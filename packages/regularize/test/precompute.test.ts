import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAT_SAMPLE_RATE, pooledDescriptors, resample } from '@cat/frontend';
import { readAudioFile, readNpyFile } from '@cat/frontend/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpectralDescriptorEncoder } from '../src/encoders/descriptors.js';
import type { ClipInput, ExternalEncoder } from '../src/encoders/types.js';
import { decodeFloat16, encodeFloat16 } from '../src/float16.js';
import { precomputeFeatures } from '../src/precompute.js';
import { NpyFeatureStore, PackedFeatureStore, readFeatureManifest } from '../src/stores.js';
import { testClip, writeWav } from './encoders-helpers.js';

let dir: string;
let audio: string;
const names = ['a', 'b', 'c', 'd', 'e', 'f'];
const paths = () => [
  ...names.map((n) => join(audio, n === 'f' ? 'sub/f.wav' : `${n}.wav`)),
  join(audio, 'broken.wav'),
];
const lengths: Record<string, number> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cat-rr-pre-'));
  audio = join(dir, 'audio');
  for (const [i, name] of names.entries()) {
    const rate = name === 'e' ? 22050 : 16000;
    const samples = testClip(0.2 + 0.05 * i, rate, i + 1);
    lengths[name] = samples.length;
    await writeWav(join(audio, name === 'f' ? 'sub/f.wav' : `${name}.wav`), samples, rate);
  }
  await writeFile(join(audio, 'broken.wav'), 'RIFF not really a wave file');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The expected raw feature of a clip, computed without the package's encoder or precompute code. */
async function descriptorsOf(name: string): Promise<Float32Array> {
  const decoded = await readAudioFile(paths()[names.indexOf(name)]);
  return pooledDescriptors(resample(decoded.samples, decoded.sampleRate, CAT_SAMPLE_RATE), CAT_SAMPLE_RATE);
}

async function vectorFile(path: string): Promise<Float32Array> {
  const array = await readNpyFile(path);
  return array.dtype === 'float16' ? decodeFloat16(array.data as Uint16Array) : Float32Array.from(array.data);
}

/** Delegates to the descriptor encoder, recording which clips it was asked for and optionally altering one output. */
class RecordingEncoder implements ExternalEncoder {
  readonly inner = new SpectralDescriptorEncoder();
  readonly name = 'recording';
  readonly dimension = 46;
  readonly seen: string[] = [];

  constructor(private readonly alter?: (id: string, vector: Float32Array) => Float32Array) {}

  async embed(clips: ClipInput[]): Promise<Float32Array[]> {
    this.seen.push(...clips.map((c) => c.id));
    const vectors = await this.inner.embed(clips);
    return vectors.map((v, i) => (this.alter ? this.alter(clips[i].id, v) : v));
  }
}

describe('precomputeFeatures', () => {
  it('writes one .npy per clip and the reference JSON manifest; a broken file is skipped and reported', async () => {
    const out = join(dir, 'raw');
    const progress: number[] = [];
    const result = await precomputeFeatures({
      encoder: new SpectralDescriptorEncoder(),
      entries: paths().map((path) => ({ path })),
      out,
      standardize: false,
      batchSize: 4,
      onProgress: (p) => progress.push(p.done),
    });
    expect(result).toMatchObject({ dimension: 46, total: 7, embedded: 6, reused: 0, ids: names });
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0].id).toBe('broken');
    expect(result.skipped[0].reason).toContain('broken.wav');
    expect(progress).toEqual([0, 4, 6]);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest[0]).toEqual({
      wav_path: paths()[0],
      clap_path: join(out, 'a.npy'),
      num_frame: lengths.a,
    });
    expect(manifest.map((e: { num_frame: number }) => e.num_frame)).toEqual(names.map((n) => lengths[n]));
    const store = await NpyFeatureStore.open(join(out, 'manifest.json'));
    expect(store.ids()).toEqual(names);
    for (const name of names) {
      const expected = await descriptorsOf(name);
      expect(await vectorFile(join(out, `${name}.npy`))).toEqual(expected);
      expect(await store.get(name)).toEqual(expected);
    }
  });

  it('resumes: only clips without a finished feature are embedded again; a leftover temp file is ignored', async () => {
    const out = join(dir, 'resume');
    const entries = paths()
      .slice(0, 6)
      .map((path) => ({ path }));
    const first = new RecordingEncoder();
    await precomputeFeatures({ encoder: first, entries, out, batchSize: 2 });
    expect(first.seen).toEqual(names);
    const before = await readFile(join(out, 'a.npy'));
    await unlink(join(out, 'b.npy'));
    await unlink(join(out, 'e.npy'));
    // A kill between a file's rename and its log line: the clip is redone. A torn log line is ignored.
    const log = (await readFile(join(out, 'done.jsonl'), 'utf8'))
      .split('\n')
      .filter((line) => !line.includes('"d"') && !line.includes('"b"'));
    await writeFile(join(out, 'done.jsonl'), `${log.join('\n')}{"id":"f","num_fr`);
    await writeFile(join(out, '.c.npy.4242.0a0b0c.tmp'), 'half a file');
    const second = new RecordingEncoder();
    const result = await precomputeFeatures({ encoder: second, entries, out, batchSize: 2 });
    expect(second.seen).toEqual(['b', 'd', 'e']);
    expect(result).toMatchObject({ embedded: 3, reused: 3, ids: names });
    expect(await readFile(join(out, 'a.npy'))).toEqual(before);
    expect(await vectorFile(join(out, 'e.npy'))).toEqual(await descriptorsOf('e'));
    const manifest = await readFeatureManifest(join(out, 'manifest.json'));
    expect(manifest.map((e) => e.num_frame)).toEqual(names.map((n) => lengths[n]));
    expect((await readdir(out)).filter((f) => f.endsWith('.tmp'))).toEqual(['.c.npy.4242.0a0b0c.tmp']);
    // The torn line did not swallow the lines appended after it: a third run has nothing to do.
    const third = new RecordingEncoder();
    expect(await precomputeFeatures({ encoder: third, entries, out })).toMatchObject({
      embedded: 0,
      reused: 6,
    });
    expect(third.seen).toEqual([]);
  });

  it('continues after a run killed midway', async () => {
    const out = join(dir, 'killed');
    const entries = paths()
      .slice(0, 6)
      .map((path) => ({ path }));
    const first = new RecordingEncoder();
    await expect(
      precomputeFeatures({
        encoder: first,
        entries,
        out,
        batchSize: 2,
        onProgress: ({ done }) => {
          if (done === 4) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const second = new RecordingEncoder();
    const result = await precomputeFeatures({ encoder: second, entries, out, batchSize: 2 });
    expect(first.seen).toEqual(['a', 'b', 'c', 'd']);
    expect(second.seen).toEqual(['e', 'f']);
    expect(result).toMatchObject({ embedded: 2, reused: 4 });
  });

  it('rejects a vector of the wrong size or with NaN, naming the clip', async () => {
    const entries = paths()
      .slice(0, 3)
      .map((path) => ({ path }));
    const short = new RecordingEncoder((id, v) => (id === 'b' ? v.subarray(0, 45) : v));
    await expect(precomputeFeatures({ encoder: short, entries, out: join(dir, 'short') })).rejects.toThrow(
      `recording: clip b (${paths()[1]}): embedding has 45 values, the encoder's dimension is 46`,
    );
    const nan = new RecordingEncoder((id, v) =>
      id === 'c' ? Float32Array.from(v, (x, k) => (k === 7 ? Number.NaN : x)) : v,
    );
    await expect(precomputeFeatures({ encoder: nan, entries, out: join(dir, 'nan') })).rejects.toThrow(
      /recording: clip c \(.*c.wav\): embedding value 7 is NaN/,
    );
  });

  it('fails when the encoder fails on every clip from the start, and on clips sharing a file name', async () => {
    const failing: ExternalEncoder = {
      name: 'failing',
      dimension: 46,
      embed: async (clips) => Promise.reject(new Error(`no model for ${clips.length} clip(s)`)),
    };
    const entries = paths()
      .slice(0, 3)
      .map((path) => ({ path }));
    await expect(
      precomputeFeatures({ encoder: failing, entries, out: join(dir, 'failing') }),
    ).rejects.toThrow('failing failed on every clip of the first batch: no model for 1 clip(s)');
    await expect(
      precomputeFeatures({
        encoder: new SpectralDescriptorEncoder(),
        entries: [{ path: join(audio, 'a.wav') }, { path: join(audio, 'sub/a.wav') }],
        out: join(dir, 'clash'),
      }),
    ).rejects.toThrow(/1 clip\(s\) share an id \('a': .*a.wav and .*sub\/a.wav\)/);
    await expect(
      precomputeFeatures({
        encoder: new SpectralDescriptorEncoder(),
        entries: [{ path: join(audio, 'a.wav'), id: '../a' }],
        out: join(dir, 'escape'),
      }),
    ).rejects.toThrow(/a.wav: clip id '..\/a' cannot name a file below the output folder/);
  });

  it('keys features by the entry ids when given, in subfolders for ids with a slash', async () => {
    const out = join(dir, 'nested');
    const entries = [
      { id: 'top/a', path: paths()[0] },
      { id: 'sub/deeper/f', path: paths()[5] },
      { id: 'c', path: paths()[2] },
    ];
    const result = await precomputeFeatures({
      encoder: new RecordingEncoder(),
      entries,
      out,
      packed: true,
      standardize: false,
    });
    expect(result.ids).toEqual(['top/a', 'sub/deeper/f', 'c']);
    expect(await vectorFile(join(out, 'sub/deeper/f.npy'))).toEqual(await descriptorsOf('f'));
    const packed = await PackedFeatureStore.open(out);
    expect(await packed.get('top/a')).toEqual(await descriptorsOf('a'));
    const manifest = await readFeatureManifest(join(out, 'manifest.json'));
    expect(manifest[1].clap_path).toBe(join(out, 'sub/deeper/f.npy'));
    const again = new RecordingEncoder();
    await unlink(join(out, 'top/a.npy'));
    expect(await precomputeFeatures({ encoder: again, entries, out, standardize: false })).toMatchObject({
      reused: 2,
      embedded: 1,
    });
    expect(again.seen).toEqual(['top/a']);
  });

  it('packs float16 features equal to the per-clip files, in entry order', async () => {
    const out = join(dir, 'packed');
    const result = await precomputeFeatures({
      encoder: new SpectralDescriptorEncoder(),
      entries: paths().map((path) => ({ path })),
      out,
      packed: true,
      dtype: 'float16',
      standardize: false,
    });
    expect(JSON.parse(await readFile(join(out, 'ids.json'), 'utf8'))).toEqual(names);
    expect((await readNpyFile(join(out, 'features.npy'))).shape).toEqual([6, 46]);
    const packed = await PackedFeatureStore.open(out);
    const perClip = await NpyFeatureStore.open(result.manifest as string);
    for (const name of names) {
      const vector = await perClip.get(name);
      expect(await packed.get(name)).toEqual(vector);
      expect(vector).toEqual(decodeFloat16(encodeFloat16(await descriptorsOf(name))));
    }
    // A descriptor too large for float16 is an error naming the clip, not an infinity in the store.
    const huge = new RecordingEncoder((id, v) =>
      id === 'a' ? Float32Array.from(v, (x, k) => (k === 3 ? 1e6 : x)) : v,
    );
    await expect(
      precomputeFeatures({
        encoder: huge,
        entries: [{ path: paths()[0] }],
        out: join(dir, 'huge'),
        dtype: 'float16',
      }),
    ).rejects.toThrow('clip a: value 1000000 at 3 is outside the float16 range; use float32');
  });

  it('standardises descriptors by default with statistics of the whole set, saved beside the features', async () => {
    const out = join(dir, 'standardized');
    const entries = paths().map((path) => ({ path }));
    const result = await precomputeFeatures({
      encoder: new SpectralDescriptorEncoder(),
      entries,
      out,
      packed: true,
    });
    const raw = await Promise.all(names.map(descriptorsOf));
    const mean = Array.from({ length: 46 }, (_, k) => raw.reduce((s, v) => s + v[k], 0) / raw.length);
    const std = mean.map((m, k) => Math.sqrt(raw.reduce((s, v) => s + (v[k] - m) ** 2, 0) / raw.length) || 1);
    const saved = JSON.parse(await readFile(join(out, 'standardization.json'), 'utf8'));
    expect(saved.count).toBe(6);
    saved.mean.forEach((m: number, k: number) => expect(m).toBeCloseTo(mean[k], 3));
    saved.std.forEach((s: number, k: number) => expect(s / std[k]).toBeCloseTo(1, 5));
    expect(result.standardization?.count).toBe(6);
    const packed = await PackedFeatureStore.open(out);
    for (const [i, name] of names.entries()) {
      expect(await vectorFile(join(out, 'raw', `${name}.npy`))).toEqual(raw[i]);
      const standardized = await vectorFile(join(out, `${name}.npy`));
      expect(await packed.get(name)).toEqual(standardized);
      standardized.forEach((x, k) => expect(x).toBeCloseTo((raw[i][k] - mean[k]) / std[k], 3));
    }
    // Every dimension now has mean 0 and unit spread (or is constant 0 where the raw one was constant).
    const column = (k: number) => Promise.all(names.map(async (n) => (await packed.get(n))?.[k] as number));
    const zcr = await column(1);
    expect(zcr.reduce((a, b) => a + b, 0) / 6).toBeCloseTo(0, 5);
    expect(Math.sqrt(zcr.reduce((a, b) => a + b * b, 0) / 6)).toBeCloseTo(1, 4);
    // The folder now holds standardised descriptors: a raw run into it is refused.
    await expect(
      precomputeFeatures({ encoder: new SpectralDescriptorEncoder(), entries, out, standardize: false }),
    ).rejects.toThrow(/holds features made differently \(standardized true != false\)/);
  });
});
