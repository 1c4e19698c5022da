import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav } from '@cat/frontend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoDataset, type DemoDataset } from '../src/dataset.js';
import { INSTRUMENT_FAMILIES } from '../src/soundfont-notes.js';

const options = { trainPerClass: 3, testPerClass: 2, sonicPiRecordings: 2, seed: 5 };

function rows(text: string): { path: string; label: string }[] {
  const [header, ...lines] = text.trim().split('\n');
  expect(header).toBe('path,label');
  return lines.map((line) => {
    const [path, label, ...rest] = line.split(',');
    expect(rest).toEqual([]);
    return { path, label };
  });
}

const programOf = (path: string) => Number(/_p(\d{3})_/.exec(path)![1]);

describe('buildDemoDataset (small build)', () => {
  let dir: string;
  let built: DemoDataset;
  let csvs: Record<'train' | 'test' | 'unlabeled', { path: string; label: string }[]>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quickstart-dataset-'));
    built = await buildDemoDataset({ dir, ...options });
    csvs = {
      train: rows(await readFile(built.train, 'utf8')),
      test: rows(await readFile(built.test, 'utf8')),
      unlabeled: rows(await readFile(built.unlabeled, 'utf8')),
    };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the GM families as classes and labels every clip with one of them, in the requested numbers', () => {
    expect(built.classes).toEqual(INSTRUMENT_FAMILIES.map((family) => family.name));
    expect(built.classes).toHaveLength(10);
    for (const [split, perClass] of [
      ['train', options.trainPerClass],
      ['test', options.testPerClass],
    ] as const) {
      for (const name of built.classes) {
        expect(csvs[split].filter((row) => row.label === name)).toHaveLength(perClass);
        expect(built.counts[split][name]).toBe(perClass);
      }
      expect(csvs[split]).toHaveLength(perClass * built.classes.length);
    }
  });

  it('writes 2 s mono clips at 16 kHz, peak-normalised to 0.5', async () => {
    const all = [...csvs.train, ...csvs.test, ...csvs.unlabeled];
    for (const row of all) {
      const audio = decodeWav(new Uint8Array(await readFile(join(dir, row.path))), row.path);
      expect(audio.sampleRate).toBe(16_000);
      expect(audio.channels).toBe(1);
      expect(audio.samples.length).toBe(32_000);
      let peak = 0;
      let energy = 0;
      for (const value of audio.samples) {
        peak = Math.max(peak, Math.abs(value));
        energy += value * value;
      }
      expect(peak).toBeCloseTo(0.5, 4);
      // Not a lone spike: a real note or recording carries energy over many samples.
      expect(Math.sqrt(energy / audio.samples.length)).toBeGreaterThan(0.002);
    }
  });

  it('tests on GM programs that never occur in training', () => {
    const train = new Set(csvs.train.map((row) => programOf(row.path)));
    const test = new Set(csvs.test.map((row) => programOf(row.path)));
    expect([...test].filter((program) => train.has(program))).toEqual([]);
    expect([...test].sort((a, b) => a - b)).toEqual(built.programs.test);
    expect([...train].every((program) => built.programs.train.includes(program))).toBe(true);
    for (const row of [...csvs.train, ...csvs.test]) {
      const family = INSTRUMENT_FAMILIES.find((f) => f.name === row.label)!;
      expect(programOf(row.path) - family.firstProgram).toBeGreaterThanOrEqual(0);
      expect(programOf(row.path) - family.firstProgram).toBeLessThan(8);
    }
  });

  it('pre-trains on the training notes and the Sonic Pi windows, never on test clips', () => {
    const notes = csvs.unlabeled.filter((row) => row.label === 'soundfont').map((row) => row.path);
    expect(notes).toEqual(csvs.train.map((row) => row.path));
    const windows = csvs.unlabeled.filter((row) => row.label === 'sonic-pi');
    expect(windows.length).toBeGreaterThanOrEqual(options.sonicPiRecordings);
    expect(windows.every((row) => row.path.startsWith('clips/sonic-pi/'))).toBe(true);
    expect(csvs.unlabeled).toHaveLength(notes.length + windows.length);
    expect(built.counts.unlabeled).toEqual({ soundfont: notes.length, 'sonic-pi': windows.length });
  });

  it('reuses a finished build without rewriting a file', async () => {
    const files = [...csvs.train, ...csvs.test, ...csvs.unlabeled].map((row) => join(dir, row.path));
    const before = await Promise.all(files.map(async (file) => (await stat(file)).mtimeMs));
    const again = await buildDemoDataset({ dir, ...options });
    expect(again.written).toBe(0);
    expect(again.counts).toEqual(built.counts);
    expect(again.programs).toEqual(built.programs);
    expect(await Promise.all(files.map(async (file) => (await stat(file)).mtimeMs))).toEqual(before);
  });

  it('resumes an interrupted build, rendering only the missing clip, identically', async () => {
    const manifest = join(dir, 'manifest.json');
    const finished = JSON.parse(await readFile(manifest, 'utf8'));
    await writeFile(manifest, JSON.stringify({ key: finished.key, complete: false }));
    const missing = join(dir, csvs.test[3].path);
    const original = await readFile(missing);
    await unlink(missing);
    const resumed = await buildDemoDataset({ dir, ...options });
    expect(resumed.written).toBe(1);
    expect((await readFile(missing)).equals(original)).toBe(true);
    expect(JSON.parse(await readFile(manifest, 'utf8')).complete).toBe(true);
  });

  it('builds again from scratch when the options change', async () => {
    const bigger = await buildDemoDataset({ dir, ...options, sonicPiRecordings: 0, testPerClass: 3 });
    expect(bigger.written).toBe(bigger.classes.length * (options.trainPerClass + 3));
    expect(bigger.counts.unlabeled).toEqual({ soundfont: bigger.classes.length * options.trainPerClass });
  });
});

describe('buildDemoDataset options', () => {
  it('rejects sizes that are not non-negative integers, naming the option', async () => {
    await expect(buildDemoDataset({ dir: tmpdir(), trainPerClass: 1.5 })).rejects.toThrow(/trainPerClass/);
    await expect(buildDemoDataset({ dir: tmpdir(), testPerClass: 0 })).rejects.toThrow(/at least one note/);
  });
});
