import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetPath, BUNDLED_CLIP } from '../src/assets.js';
import { parseCommandArgs } from '../src/command.js';
import { dataInspectCommand } from '../src/commands/data-inspect.js';

async function inspect(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const { values, positionals } = parseCommandArgs(dataInspectCommand, args);
  const status = await dataInspectCommand.run({
    values,
    positionals,
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
  });
  return { status, out };
}

let dir: string;
// The bundled clip: 16 kHz mono, 56 516 samples (soxi: 00:00:03.53 = 56516 samples).
const clipSeconds = 56516 / 16000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cat-cli-data-'));
  const clip = assetPath(BUNDLED_CLIP);
  for (const path of [
    'classes/dog/a.wav',
    'classes/dog/b.wav',
    'classes/cat/c.wav',
    'good-and-bad/x/ok.wav',
  ]) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await copyFile(clip, join(dir, path));
  }
  await writeFile(join(dir, 'classes/cat/broken.wav'), 'not audio at all');
  await mkdir(join(dir, 'all-broken'), { recursive: true });
  await writeFile(join(dir, 'all-broken/empty.wav'), '');
  await writeFile(join(dir, 'all-broken/junk.wav'), 'RIFF....WAVEjunk');
  // The reference's manifest trio, one entry missing and one line malformed.
  await mkdir(join(dir, 'manifest'), { recursive: true });
  await writeFile(
    join(dir, 'manifest/train.tsv'),
    `${join(dir, 'classes')}\ndog/a.wav\t56516\ngone.wav\t16000\nbad line\n`,
  );
  await writeFile(join(dir, 'manifest/train.lbl'), 'dog/a.wav dog\ngone.wav cat\nbad cat\n');
  await writeFile(join(dir, 'manifest/label_descriptors.csv'), '0,cat,"Cat"\n1,dog,"Dog"\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cat-audio data inspect', () => {
  it('summarises a folder per class and lists the unreadable file, exit 0', async () => {
    const { status, out } = await inspect([join(dir, 'classes')]);
    expect(status).toBe(0);
    expect(out).toEqual([
      `input: ${join(dir, 'classes')} (class-folders)`,
      'entries: 4',
      'readable clips: 3 of 4',
      'classes: 2',
      'label counts:',
      '  2  cat',
      '  2  dog',
      `total duration: 0h 00m 10.6s (${(3 * clipSeconds).toFixed(1)} s)`,
      'sample rates: 16000 Hz x 3',
      'unreadable entries: 1',
      `  ${join(dir, 'classes/cat/broken.wav')}: undecodable: unknown container (first bytes 6e 6f 74 20); expected WAV, FLAC, Ogg Vorbis or MP3`,
    ]);
  });

  it('reads a .tsv with its .lbl and label_descriptors.csv, reporting missing files and bad lines', async () => {
    const { status, out } = await inspect([join(dir, 'manifest/train.tsv')]);
    expect(status).toBe(0);
    expect(out[0]).toBe(
      `input: ${join(dir, 'manifest/train.tsv')} (fairseq-tsv; ${join(dir, 'manifest/label_descriptors.csv')}, ${join(dir, 'manifest/train.lbl')})`,
    );
    expect(out).toContain('entries: 2');
    expect(out).toContain('readable clips: 1 of 2');
    expect(out).toContain(`  ${join(dir, 'classes/gone.wav')}: missing: no such file`);
    expect(out.some((line) => line.includes('train.tsv:4: wrong field count: 1 instead of 2'))).toBe(true);
    expect(out).toContain(`total duration: 0h 00m 03.5s (${clipSeconds.toFixed(1)} s)`);
  });

  it('exits 1 when no clip is readable, and honours --limit and --min-samples', async () => {
    const broken = await inspect([join(dir, 'all-broken')]);
    expect(broken.status).toBe(1);
    expect(broken.out).toContain('readable clips: 0 of 2');
    expect(broken.out).toContain(`  ${join(dir, 'all-broken/empty.wav')}: empty: the file is empty`);
    const limited = await inspect([join(dir, 'classes'), '--limit', '1']);
    expect(limited.out).toContain('entries: 4 (first 1 checked)');
    const strict = await inspect([join(dir, 'good-and-bad'), '--min-samples', '60000']);
    expect(strict.status).toBe(1);
    expect(strict.out.at(-1)).toBe(
      `  ${join(dir, 'good-and-bad/x/ok.wav')}: too-short: 56516 samples, fewer than the minimum 60000`,
    );
  });

  it('fails clearly on an input it cannot read', async () => {
    await expect(inspect([join(dir, 'nothing-here')])).rejects.toThrow(
      /nothing-here: no such file or folder/,
    );
    await expect(inspect([join(dir, 'manifest/label_descriptors.csv')])).rejects.toThrow(
      /label_descriptors.csv: this is a label list \(index,key,name\), not a dataset/,
    );
  });
});
