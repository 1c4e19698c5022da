import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pooledDescriptors, referenceFbank } from '@cat/frontend';
import { readNpyFile } from '@cat/frontend/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandArgs, UsageError } from '../src/command.js';
import { featuresCommand } from '../src/commands/features.js';

async function features(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const { values, positionals } = parseCommandArgs(featuresCommand, args);
  const status = await featuresCommand.run({
    values,
    positionals,
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
  });
  return { status, out, err };
}

/** A 16 kHz mono float32 WAV of a tone at `frequency` Hz with a little deterministic noise. */
function wav(seconds: number, frequency: number): { bytes: Uint8Array; samples: Float32Array } {
  const samples = new Float32Array(Math.round(seconds * 16000));
  let state = frequency;
  for (let i = 0; i < samples.length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    samples[i] = 0.3 * Math.sin((2 * Math.PI * frequency * i) / 16000) + 0.01 * (state / 2 ** 31 - 0.5);
  }
  const bytes = new Uint8Array(44 + 4 * samples.length);
  const view = new DataView(bytes.buffer);
  [...'RIFF'].forEach((c, i) => view.setUint8(i, c.charCodeAt(0)));
  view.setUint32(4, 36 + 4 * samples.length, true);
  [...'WAVEfmt '].forEach((c, i) => view.setUint8(8 + i, c.charCodeAt(0)));
  view.setUint32(16, 16, true);
  view.setUint16(20, 3, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, 16000, true);
  view.setUint32(28, 64000, true);
  view.setUint16(32, 4, true);
  view.setUint16(34, 32, true);
  [...'data'].forEach((c, i) => view.setUint8(36 + i, c.charCodeAt(0)));
  view.setUint32(40, 4 * samples.length, true);
  samples.forEach((x, i) => view.setFloat32(44 + 4 * i, x, true));
  return { bytes, samples };
}

let dir: string;
const clips: Record<string, Float32Array> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cat-cli-features-'));
  await mkdir(join(dir, 'clips'));
  for (const [name, frequency] of [
    ['low', 220],
    ['mid', 880],
    ['high', 3000],
  ] as const) {
    const { bytes, samples } = wav(0.3, frequency);
    clips[name] = samples;
    await writeFile(join(dir, 'clips', `${name}.wav`), bytes);
  }
  await writeFile(join(dir, 'clips', 'junk.wav'), 'RIFF....WAVEjunk');
  await mkdir(join(dir, 'broken'));
  await writeFile(join(dir, 'broken', 'empty.wav'), '');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function vector(path: string): Promise<Float32Array> {
  return Float32Array.from((await readNpyFile(path)).data);
}

describe('cat-audio features', () => {
  it('embeds a folder with standardised descriptors, skips the broken file, and resumes', async () => {
    const out = join(dir, 'descriptors');
    const first = await features(['--data', join(dir, 'clips'), '--out', out]);
    expect(first.status).toBe(0);
    expect(first.out[0]).toBe('encoder: descriptors');
    expect(first.out.slice(1, 3)).toEqual([
      'dimension: 46',
      'clips: 3 of 4 with features (3 embedded now, 0 from an earlier run), 1 skipped',
    ]);
    expect(first.out[3]).toMatch(/^ {2}skipped .*junk\.wav: .*junk\.wav/);
    expect(first.out).toContain(`manifest: ${join(out, 'manifest.json')}`);
    expect(first.out).toContain(`standardized: ${join(out, 'standardization.json')} (statistics of 3 clips)`);
    expect(first.err[0]).toBe('descriptors: 46 values per clip, 4 clips (audio-folder)');
    expect(first.err.at(-1)).toMatch(/^3\/4 clips, 1 skipped, \d+\.\d s$/);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.map((e: { wav_path: string }) => e.wav_path).sort()).toEqual(
      ['high', 'low', 'mid'].map((name) => join(dir, 'clips', `${name}.wav`)),
    );
    expect(manifest.every((e: { num_frame: number }) => e.num_frame === 4800)).toBe(true);
    const stats = JSON.parse(await readFile(join(out, 'standardization.json'), 'utf8'));
    for (const name of ['low', 'mid', 'high']) {
      const raw = pooledDescriptors(clips[name], 16000);
      expect(await vector(join(out, 'raw', `${name}.npy`))).toEqual(raw);
      const standardized = await vector(join(out, `${name}.npy`));
      standardized.forEach((x, k) => expect(x).toBeCloseTo((raw[k] - stats.mean[k]) / stats.std[k], 4));
    }
    const again = await features(['--data', join(dir, 'clips'), '--out', out]);
    expect(again.status).toBe(0);
    expect(again.out[2]).toBe(
      'clips: 3 of 4 with features (0 embedded now, 3 from an earlier run), 1 skipped',
    );
  });

  it('converts per-clip features into a packed float16 store through the npy: encoder', async () => {
    const raw = join(dir, 'raw-features');
    expect((await features(['--data', join(dir, 'clips'), '--out', raw, '--standardize', 'no'])).status).toBe(
      0,
    );
    const packed = join(dir, 'packed');
    const result = await features([
      '--encoder',
      `npy:${join(raw, 'manifest.json')}`,
      '--data',
      join(raw, 'manifest.json'),
      '--out',
      packed,
      '--packed',
      '--dtype',
      'float16',
      '--batch',
      '2',
    ]);
    expect(result.status).toBe(0);
    expect(result.out[0]).toBe(`encoder: npy:${join(raw, 'manifest.json')}`);
    expect(result.out).toContain(`packed: ${join(packed, 'features.npy')} + ids.json (float16)`);
    const matrix = await readNpyFile(join(packed, 'features.npy'));
    expect(matrix.dtype).toBe('float16');
    expect(matrix.shape).toEqual([3, 46]);
    const ids: string[] = JSON.parse(await readFile(join(packed, 'ids.json'), 'utf8'));
    expect([...ids].sort()).toEqual(['high', 'low', 'mid']);
  });

  it('runs a tfjs GraphModel from disk (a hand-written graph: one matmul) and pools it over time', async () => {
    const folder = join(dir, 'graph');
    await mkdir(folder);
    // Column 0 averages the 128 mel bins, column 1 contrasts the lower and upper halves.
    const w = new Float32Array(128 * 2);
    for (let f = 0; f < 128; f++) {
      w[2 * f] = 1 / 128;
      w[2 * f + 1] = f < 64 ? 1 / 64 : -1 / 64;
    }
    await writeFile(join(folder, 'weights.bin'), new Uint8Array(w.buffer));
    const float = { type: 'DT_FLOAT' };
    const dims = (...sizes: number[]) => ({ dim: sizes.map((size) => ({ size: String(size) })) });
    const model = {
      format: 'graph-model',
      modelTopology: {
        node: [
          { name: 'fbank', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims(-1, -1, 128) } } },
          {
            name: 'w',
            op: 'Const',
            attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(128, 2) } }, dtype: float },
          },
          { name: 'out', op: 'BatchMatMulV2', input: ['fbank', 'w'], attr: { T: float } },
        ],
        library: {},
        versions: {},
      },
      weightsManifest: [
        { paths: ['weights.bin'], weights: [{ name: 'w', shape: [128, 2], dtype: 'float32' }] },
      ],
    };
    await writeFile(join(folder, 'model.json'), JSON.stringify(model));
    const out = join(dir, 'tfjs');
    const spec = `tfjs:${join(folder, 'model.json')}?frames=32&norm=none`;
    const result = await features([
      '--encoder',
      spec,
      '--data',
      join(dir, 'clips'),
      '--out',
      out,
      '--backend',
      'cpu',
    ]);
    expect(result.status).toBe(0);
    expect(result.out.slice(1, 3)).toEqual([
      'dimension: 2',
      'clips: 3 of 4 with features (3 embedded now, 0 from an earlier run), 1 skipped',
    ]);
    for (const name of ['low', 'mid', 'high']) {
      // 0.3 s = 28 frames, zero-padded to 32 before the model.
      const fbank = referenceFbank(clips[name], 16000).data;
      const expected = [0, 0];
      for (let i = 0; i < fbank.length; i++) {
        expected[0] += (fbank[i] * w[2 * (i % 128)]) / 32;
        expected[1] += (fbank[i] * w[2 * (i % 128) + 1]) / 32;
      }
      const got = await vector(join(out, `${name}.npy`));
      expect(got[0]).toBeCloseTo(expected[0], 4);
      expect(got[1]).toBeCloseTo(expected[1], 4);
    }
  });

  it('exits 1 when no clip could be embedded, and asks for --data and --out', async () => {
    const empty = await features(['--data', join(dir, 'broken'), '--out', join(dir, 'none')]);
    expect(empty.status).toBe(1);
    expect(empty.out[2]).toBe(
      'clips: 0 of 1 with features (0 embedded now, 0 from an earlier run), 1 skipped',
    );
    await expect(features(['--out', join(dir, 'x')])).rejects.toThrow(UsageError);
    await expect(
      features(['--data', join(dir, 'clips'), '--out', join(dir, 'y'), '--dtype', 'int8']),
    ).rejects.toThrow(/--dtype must be one of float32, float16/);
    await expect(
      features(['--data', join(dir, 'clips'), '--out', join(dir, 'z'), '--encoder', 'clap']),
    ).rejects.toThrow(/unknown kind 'clap'/);
  });
});
