import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLabelList } from '@cat/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEsc50Manifests } from '../src/manifests.js';

// The reference's own ESC-50 fold-1 manifests (CAT repository, data_manifest/SFT_ESC_50/test01).
const reference = join(__dirname, '__fixtures__', 'esc50-test01');
let root: string;

const read = async (path: string) => (await readFile(path, 'utf8')).trimEnd().split('\n');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'example-esc50-manifests-'));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("ESC-50 manifests against the reference's SFT_ESC_50/test01", () => {
  it('reproduces fold 1: the same training and evaluation clips, labels and label list', async () => {
    // meta/esc50.csv as ESC-50 ships it, rebuilt from the reference's 2,000 manifest lines: the fold is the
    // file name's first field, the target its last, the category from the reference's label list.
    const labels = parseLabelList(await readFile(join(reference, 'label_descriptors.csv'), 'utf8'));
    const lines = [
      ...(await read(join(reference, 'train.lbl'))),
      ...(await read(join(reference, 'eval.lbl'))),
    ];
    const rows = lines.map((line) => {
      const [file, target] = line.split('\t');
      return `${file},${file[0]},${target},${labels.names[Number(target)]},False,${file.split('-')[1]},${file.split('-')[2]}`;
    });
    const data = join(root, 'ESC-50');
    await mkdir(join(data, 'meta'), { recursive: true });
    await writeFile(
      join(data, 'meta', 'esc50.csv'),
      `filename,fold,target,category,esc10,src_file,take\n${rows.join('\n')}\n`,
    );
    const manifests = await writeEsc50Manifests({
      data,
      out: join(root, 'manifests'),
      // ESC-50's originals are 5 s at 44.1 kHz; the reference's manifests count samples at that rate.
      sampleCount: async () => 220_500,
    });
    expect(manifests.clips).toBe(2000);
    expect(manifests.labels.size).toBe(50);
    expect(manifests.folds.map((f) => [f.trainClips, f.evalClips])).toEqual(Array(5).fill([1600, 400]));
    const ours = join(root, 'manifests', 'test01');
    for (const name of ['train.tsv', 'eval.tsv', 'train.lbl', 'eval.lbl']) {
      const [expected, actual] = [await read(join(reference, name)), await read(join(ours, name))];
      // The root line is the user's folder; the order of the clips is free.
      const body = (l: string[]) => new Set(name.endsWith('.tsv') ? l.slice(1) : l);
      expect(body(actual)).toEqual(body(expected));
      expect(actual.length).toBe(expected.length);
    }
    const written = parseLabelList(await readFile(join(ours, 'label_descriptors.csv'), 'utf8'));
    expect(written.keys).toEqual(labels.keys);
    expect(written.names).toEqual(labels.names);
  });

  it('names the file when the metadata is missing', async () => {
    await expect(writeEsc50Manifests({ data: join(root, 'nowhere'), out: join(root, 'x') })).rejects.toThrow(
      /nowhere\/meta\/esc50\.csv: cannot read ESC-50's metadata/,
    );
  });
});
