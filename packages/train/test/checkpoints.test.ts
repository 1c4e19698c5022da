import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '@cat/frontend/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_MARKER, CheckpointDirectory, checkpointFolderName } from '../src/checkpoints.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cat-train-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const bytes = (n: number, value: number) => new Uint8Array(n).fill(value);

async function saveSimple(store: CheckpointDirectory, step: number, metrics: Record<string, number> = {}) {
  return store.save(
    step,
    async (writer) => {
      await writer.writeFile('model.bin', bytes(100 + step, step));
      await writer.writeJson('trainer.json', { step });
    },
    metrics,
  );
}

/** Runs test/checkpoint-child.ts and SIGKILLs it as soon as it reports being in the middle of its write. */
function killDuringWrite(mode: 'file' | 'checkpoint'): Promise<string> {
  const packageRoot = join(__dirname, '..');
  const child = spawn(
    process.execPath,
    [join(packageRoot, 'node_modules', 'vite-node', 'vite-node.mjs'), join(__dirname, 'checkpoint-child.ts')],
    {
      cwd: packageRoot,
      env: { ...process.env, CHECKPOINT_ROOT: root, CHILD_MODE: mode },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('writing')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(`${signal}|${output}`));
  });
}

describe('atomic files', () => {
  it('replaces a file with the new content, from a string, bytes or chunks, leaving no temporary', async () => {
    const path = join(root, 'a.json');
    await writeJsonAtomic(path, { a: 1 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ a: 1 });
    expect(await writeFileAtomic(path, bytes(5, 7))).toBe(5);
    expect(Array.from(await readFile(path))).toEqual([7, 7, 7, 7, 7]);
    expect(await writeFileAtomic(path, [bytes(2, 1), bytes(3, 2)])).toBe(5);
    expect(Array.from(await readFile(path))).toEqual([1, 1, 2, 2, 2]);
    expect(await readdir(root)).toEqual(['a.json']);
  });

  it('keeps the old file and removes the temporary when the content fails midway', async () => {
    const path = join(root, 'w.bin');
    await writeFileAtomic(path, bytes(4, 1));
    async function* failing() {
      yield bytes(10, 9);
      throw new Error('disk on fire');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow(/could not write .*w\.bin: disk on fire/);
    expect(Array.from(await readFile(path))).toEqual([1, 1, 1, 1]);
    expect(await readdir(root)).toEqual(['w.bin']);
  });

  it('leaves the old file intact when the writer is SIGKILLed during a large write', async () => {
    const path = join(root, 'weights.bin');
    await writeFileAtomic(path, bytes(1000, 42));
    const result = await killDuringWrite('file');
    expect(result.startsWith('SIGKILL|'), result).toBe(true);
    expect(result).not.toContain('finished');
    const content = await readFile(path);
    expect(content.length).toBe(1000);
    expect(content.every((b) => b === 42)).toBe(true);
    // The interrupted temporary is still there, proving the kill landed mid-write, beside an untouched target.
    const names = await readdir(root);
    expect(names).toHaveLength(2);
    expect(names.find((n) => n !== 'weights.bin')).toMatch(/^\.weights\.bin\.\d+-[0-9a-f]+\.tmp$/);
  });
});

describe('checkpoint directory', () => {
  it('lays out step-000123 folders with a marker listing the files and their sizes', async () => {
    const store = new CheckpointDirectory(root);
    const info = await saveSimple(store, 123, { mAP: 0.25 });
    expect(checkpointFolderName(123)).toBe('step-000123');
    expect(checkpointFolderName(1_234_567)).toBe('step-1234567');
    expect(info.dir).toBe(join(root, 'step-000123'));
    expect((await readdir(info.dir)).sort()).toEqual([CHECKPOINT_MARKER, 'model.bin', 'trainer.json']);
    const marker = JSON.parse(await readFile(join(info.dir, CHECKPOINT_MARKER), 'utf8'));
    expect(marker.step).toBe(123);
    expect(marker.metrics).toEqual({ mAP: 0.25 });
    expect(marker.files).toEqual({ 'model.bin': 223, 'trainer.json': 18 });
    expect(await store.latest()).toEqual(info);
    expect(await readdir(root)).toEqual(['step-000123']);
  });

  it('keeps the last k plus the best by a metric', async () => {
    const store = new CheckpointDirectory(root, {
      keepLast: 2,
      keepBest: 1,
      bestMetric: 'mAP',
      bestMode: 'max',
    });
    const maps = [0.1, 0.4, 0.3, 0.2, 0.35];
    for (let i = 0; i < maps.length; i++) await saveSimple(store, (i + 1) * 10, { mAP: maps[i] });
    expect((await store.list()).map((c) => c.step)).toEqual([20, 40, 50]);
    expect((await store.best())?.step).toBe(20);
    expect((await store.latest())?.step).toBe(50);

    const byLoss = new CheckpointDirectory(join(root, 'loss'), {
      keepLast: 1,
      keepBest: 2,
      bestMetric: 'loss',
      bestMode: 'min',
    });
    const losses = [3, 1, 2, 5];
    for (let i = 0; i < losses.length; i++) await saveSimple(byLoss, i, { loss: losses[i] });
    expect((await byLoss.list()).map((c) => c.step)).toEqual([1, 2, 3]);
  });

  it('replaces a checkpoint of the same step', async () => {
    const store = new CheckpointDirectory(root);
    await saveSimple(store, 5);
    await store.save(5, async (writer) => writer.writeFile('model.bin', bytes(3, 9)));
    const latest = await store.latest();
    expect(latest?.files).toEqual({ 'model.bin': 3 });
    expect(Array.from(await readFile(join(latest!.dir, 'model.bin')))).toEqual([9, 9, 9]);
    expect(await readdir(root)).toEqual(['step-000005']);
  });

  it('ignores folders without the marker, with a short file, or left by an interrupted save', async () => {
    const store = new CheckpointDirectory(root, { keepLast: 3 });
    await saveSimple(store, 1);
    // A crash while writing files: no marker.
    await mkdir(join(root, 'step-000002'));
    await writeFile(join(root, 'step-000002', 'model.bin'), bytes(50, 2));
    // A marker that promises more bytes than are on disk.
    const truncated = join(root, 'step-000003');
    await mkdir(truncated);
    await writeFile(join(truncated, 'model.bin'), bytes(10, 3));
    await writeFile(
      join(truncated, CHECKPOINT_MARKER),
      JSON.stringify({ step: 3, files: { 'model.bin': 103 }, metrics: {} }),
    );
    // An unparsable marker and a leftover temporary folder of a killed save.
    await mkdir(join(root, 'step-000004'));
    await writeFile(join(root, 'step-000004', CHECKPOINT_MARKER), '{"step": 4, "fi');
    await mkdir(join(root, '.step-000005.999-abcd.tmp'));

    expect((await store.list()).map((c) => c.step)).toEqual([1]);
    expect((await store.latest())?.step).toBe(1);
    const removed = await store.prune();
    expect(removed).toEqual([join(root, '.step-000005.999-abcd.tmp')]);
    // Invalid step folders are not ours to delete, but they never count as checkpoints.
    expect((await readdir(root)).sort()).toEqual([
      'step-000001',
      'step-000002',
      'step-000003',
      'step-000004',
    ]);
  });

  it('removes its temporary folder when the writer throws', async () => {
    const store = new CheckpointDirectory(root);
    await expect(
      store.save(7, async (writer) => {
        await writer.writeFile('model.bin', bytes(4, 1));
        throw new Error('out of memory');
      }),
    ).rejects.toThrow('out of memory');
    await expect(store.save(8, (writer) => writer.writeFile('../escape', 'x'))).rejects.toThrow(
      /invalid file name/,
    );
    await expect(store.save(9, (writer) => writer.writeFile(CHECKPOINT_MARKER, 'x'))).rejects.toThrow(
      /invalid file name/,
    );
    expect(await readdir(root)).toEqual([]);
  });

  it('keeps the previous checkpoint usable when the saving process is SIGKILLed mid-write', async () => {
    const store = new CheckpointDirectory(root);
    const first = await saveSimple(store, 1);
    const result = await killDuringWrite('checkpoint');
    expect(result.startsWith('SIGKILL|'), result).toBe(true);
    expect((await readdir(root)).some((n) => /^\.step-000002\..*\.tmp$/.test(n))).toBe(true);
    expect(await store.latest()).toEqual(first);
    expect(Array.from(await readFile(join(first.dir, 'model.bin')))).toEqual(Array.from(bytes(101, 1)));
    // The next save cleans up after the killed one.
    await saveSimple(store, 3);
    expect((await readdir(root)).sort()).toEqual(['step-000001', 'step-000003']);
  });

  it('rejects bad retention settings', () => {
    expect(() => new CheckpointDirectory(root, { keepLast: 0 })).toThrow(/keepLast must be an integer >= 1/);
    expect(() => new CheckpointDirectory(root, { keepBest: 2 })).toThrow(/keepBest needs bestMetric/);
  });
});
