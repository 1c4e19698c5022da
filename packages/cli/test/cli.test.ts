import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpy } from '@cat/frontend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetPath, BUNDLED_CLIP } from '../src/assets.js';
import { main } from '../src/main.js';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cat-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cat-audio', () => {
  it('lists every command in its help', async () => {
    const { status, out } = await run(['--help']);
    expect(status).toBe(0);
    for (const word of ['fbank', 'embed', 'pretrain', 'probe', 'bench fbank']) expect(out).toContain(word);
  });

  it('gives each subcommand a help page with its options', async () => {
    const fbank = await run(['fbank', '--help']);
    expect(fbank.status).toBe(0);
    expect(fbank.out).toContain('--target-length N');
    expect(fbank.out).toContain('--preset NAME');
    const bench = await run(['bench', 'fbank', '--help']);
    expect(bench.out).toContain('--reps N');
    const group = await run(['bench']);
    expect(group.status).toBe(0);
    expect(group.out).toContain('bench fbank');
  });

  it('rejects unknown commands and bad options with status 2', async () => {
    expect((await run(['nope'])).status).toBe(2);
    const missing = await run(['fbank', 'only-one-arg']);
    expect(missing.status).toBe(2);
    expect(missing.err).toContain('IN OUT.npy');
    const badLength = await run(['fbank', 'a.wav', 'b.npy', '--target-length', 'ten']);
    expect(badLength.status).toBe(2);
    expect(badLength.err).toContain('--target-length');
    const badPreset = await run(['fbank', 'a.wav', 'b.npy', '--preset', 'imagenet']);
    expect(badPreset.err).toContain('audioset, esc50, spc2');
  });

  it('reports a missing input file by name with status 1', async () => {
    const missing = join(dir, 'missing.wav');
    const result = await run(['fbank', missing, join(dir, 'x.npy')]);
    expect(result.status).toBe(1);
    expect(result.err).toContain(missing);
  });

  it('writes the torchaudio reference fbank of a real recording', async () => {
    const output = join(dir, 'guitar.npy');
    const result = await run(['fbank', assetPath(BUNDLED_CLIP), output]);
    expect(result.status).toBe(0);
    const ours = decodeNpy(await readFile(output));
    const reference = decodeNpy(await readFile(join(__dirname, '__fixtures__/guit_harmonics_16k.fbank.npy')));
    expect(ours.shape).toEqual(reference.shape);
    expect(ours.dtype).toBe('float32');
    let worst = 0;
    for (let i = 0; i < ours.data.length; i++)
      worst = Math.max(worst, Math.abs(ours.data[i] - reference.data[i]));
    expect(worst).toBeLessThanOrEqual(1e-3);
  });

  it('pads and normalises like ref_fbank.py --normalize --target-length', async () => {
    const output = join(dir, 'guitar-norm.npy');
    const result = await run([
      'fbank',
      assetPath(BUNDLED_CLIP),
      output,
      '--normalize',
      '--target-length',
      '1024',
    ]);
    expect(result.status).toBe(0);
    const ours = decodeNpy(await readFile(output));
    const reference = decodeNpy(await readFile(join(__dirname, '__fixtures__/guit_harmonics_16k.fbank.npy')));
    expect(ours.shape).toEqual([1024, 128]);
    const frames = reference.shape[0];
    // Real frames: (x + 4.268) / 9.138; padded frames: the normalised zero, 0.46706.
    expect(ours.data[5 * 128 + 7]).toBeCloseTo((reference.data[5 * 128 + 7] + 4.268) / 9.138, 3);
    expect(ours.data[(frames + 3) * 128 + 11]).toBeCloseTo(4.268 / 9.138, 5);
  });

  it('ends the fbank benchmark with a clips/s line', async () => {
    const result = await run(['bench', 'fbank', '--reps', '3']);
    expect(result.status).toBe(0);
    expect(result.out.split('\n').at(-1)).toMatch(/^clips\/s: \d+(\.\d+)?$/);
  });
});
