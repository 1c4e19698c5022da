import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAnyDataset } from '@cat/data/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMiniAudioSet, classLabelsFile, MINI_GROUPS, type MiniAudioSet } from '../src/audioset-mini.js';
import { audioSampleCount } from '../src/wav.js';

let root: string;
let mini: MiniAudioSet;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'recipe-kit-audioset-'));
  mini = await buildMiniAudioSet(join(root, 'audioset'), 2, 1);
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('miniature AudioSet', () => {
  it("ships AudioSet's 527-class list", async () => {
    const lines = (await readFile(classLabelsFile(), 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('index,mid,display_name');
    expect(lines).toHaveLength(528);
    expect(lines[1]).toBe('0,/m/09x0r,"Speech"');
  });

  it('writes 10 s, 16 kHz clips per group under audio/bal_train and audio/eval, plus one missing segment per list', async () => {
    expect(mini.train).toHaveLength(2 * MINI_GROUPS.length + 1);
    expect(mini.eval).toHaveLength(MINI_GROUPS.length + 1);
    for (const [split, folder] of [
      ['train', 'bal_train'],
      ['eval', 'eval'],
    ] as const) {
      const [missing, ...present] = [...mini[split]].reverse();
      expect(missing.file).toBeUndefined();
      for (const segment of present) {
        expect(segment.file).toBe(join('audio', folder, `Y${segment.ytid}.wav`));
        expect(await audioSampleCount(join(mini.dir, segment.file!))).toBe(160_000);
      }
    }
    const ids = [...mini.train, ...mini.eval].map((s) => s.ytid);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^[\w-]{11}$/.test(id))).toBe(true);
    expect(existsSync(mini.labels)).toBe(true);
  });

  it('reads as AudioSet segments: every clip with its classes, the missing one a problem', async () => {
    const loaded = await loadAnyDataset(mini.trainCsv, { root: join(mini.audio, 'bal_train') });
    expect(loaded.kind).toBe('audioset-segments');
    const { dataset } = loaded;
    expect(dataset.labelKeys).toHaveLength(527);
    const byId = new Map(mini.train.map((s) => [s.ytid, s.mids]));
    expect(dataset.entries.map((e) => e.id).sort()).toEqual(
      mini.train
        .filter((s) => s.file)
        .map((s) => s.ytid)
        .sort(),
    );
    for (const entry of dataset.entries) {
      expect(entry.labels.map((i) => dataset.labelKeys[i]).sort()).toEqual([...byId.get(entry.id)!].sort());
    }
    const missing = mini.train.at(-1)!.ytid;
    expect(dataset.problems.map((p) => p.reason)).toEqual([
      expect.stringContaining(`no audio file for segment ${missing}`),
    ]);
  });
});
