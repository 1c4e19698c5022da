import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '@cat/frontend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, fromFloat16Bits, toFloat16Bits } from '../src/float16.js';
import {
  clipId,
  gatherFeatures,
  NpyFeatureStore,
  PackedFeatureStore,
  readFeatureManifest,
  writeFeatureManifest,
  writePackedFeatures,
} from '../src/stores.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cat-rr-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('float16', () => {
  it('encodes known bit patterns', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00); // overflow to infinity
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(2 ** -26)).toBe(0); // below half of it
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(fromFloat16Bits(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(Number.NaN)))).toBe(true);
  });

  it('round trips within half-precision error', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
    const back = decodeFloat16(encodeFloat16(values));
    values.forEach((v, i) =>
      expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25),
    );
  });
});

describe('feature stores', () => {
  it('reads the reference JSON manifest and its per-clip .npy vectors', async () => {
    const features = join(dir, 'clap_embs');
    await mkdir(features, { recursive: true });
    const entries = ['Y95SYCuLHsNc', 'YBc62sOnGG3Q'].map((id, i) => ({
      wav_path: `/data/audioset/wav_16k/unbal_train/${id}.wav`,
      clap_path: join(features, `${id}.npy`),
      num_frame: 160000 - i,
    }));
    for (const [i, entry] of entries.entries()) {
      await writeFile(entry.clap_path, encodeNpy(Float32Array.from([i, i + 0.5, -i]), [3]));
    }
    const manifest = join(dir, 'train.json');
    await writeFeatureManifest(manifest, entries);
    expect(await readFeatureManifest(manifest)).toEqual(entries);
    const store = await NpyFeatureStore.open(manifest);
    expect(store.dimension).toBe(3);
    expect(store.ids()).toEqual(['Y95SYCuLHsNc', 'YBc62sOnGG3Q']);
    expect(Array.from((await store.get('YBc62sOnGG3Q'))!)).toEqual([1, 1.5, -1]);
    expect(await store.get('unknown')).toBeUndefined();
  });

  it('names the manifest and the entry when a manifest is malformed', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify([{ wav_path: 'a.wav', num_frame: 3 }]));
    await expect(readFeatureManifest(bad)).rejects.toThrow(/bad\.json: entry 0 lacks/);
    await writeFile(bad, '[]');
    await expect(readFeatureManifest(bad)).rejects.toThrow(/non-empty JSON list/);
  });

  it.each(['float32', 'float16'] as const)('round trips a packed %s store', async (dtype) => {
    const out = join(dir, `packed-${dtype}`);
    const ids = ['a', 'b', 'c'];
    const vectors = ids.map((_, i) => Float32Array.from({ length: 8 }, (_, j) => (i + 1) * (j - 3.25)));
    await writePackedFeatures(out, ids, vectors, dtype);
    expect((await readdir(out)).sort()).toEqual(['features.npy', 'ids.json']);
    const store = await PackedFeatureStore.open(out);
    expect(store.dimension).toBe(8);
    expect(store.ids()).toEqual(ids);
    const c = (await store.get('c'))!;
    vectors[2].forEach((v, j) => expect(c[j]).toBeCloseTo(v, dtype === 'float16' ? 2 : 6));
  });

  it('gathers a batch, failing clearly or skipping clips without features', async () => {
    const out = join(dir, 'packed-gather');
    await writePackedFeatures(out, ['x', 'y'], [Float32Array.of(1, 2), Float32Array.of(3, 4)]);
    const store = await PackedFeatureStore.open(out);
    const all = await gatherFeatures(store, ['y', 'x']);
    expect(Array.from(all.matrix)).toEqual([3, 4, 1, 2]);
    await expect(gatherFeatures(store, ['x', 'zzz'])).rejects.toThrow(
      /no external feature for 1 clip\(s\): zzz/,
    );
    const skipped = await gatherFeatures(store, ['x', 'zzz', 'y'], 'skip');
    expect(skipped.found).toEqual([0, 2]);
    expect(skipped.missing).toEqual(['zzz']);
    expect(Array.from(skipped.matrix)).toEqual([1, 2, 3, 4]);
  });

  it('derives clip ids from paths', () => {
    expect(clipId('/a/b/Y8KIoQ2HZ0Hg.wav')).toBe('Y8KIoQ2HZ0Hg');
    expect(clipId('house/e4b02540_nohash_0.flac')).toBe('e4b02540_nohash_0');
  });
});
