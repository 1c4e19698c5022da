import { describe, expect, it } from 'vitest';
import { fairseqDataset, parseLbl, parseTsvManifest } from '../src/fairseq-manifest.js';
import { parseAstDatafile, parseFeatureManifest } from '../src/json-manifest.js';
import { LabelSet, parseLabelList } from '../src/labels.js';
import { loadFairseqManifest } from '../src/node-loaders.js';
import { dropShortClips } from '../src/subsets.js';
import { fixturePath, readFixture } from './fixtures.js';

const manifest = (dir: string, split: string) =>
  loadFairseqManifest({
    tsv: fixturePath(`${dir}/${split}.tsv${dir.startsWith('esc') ? '' : '.gz'}`),
    lbl: fixturePath(`${dir}/${split}.lbl${dir.startsWith('esc') ? '' : '.gz'}`),
    labels: fixturePath(`${dir}/label_descriptors.csv`),
  });

describe('reference fine-tuning manifests (.tsv + .lbl + label_descriptors.csv)', () => {
  it('AS-20K: 20,550 train and 18,886 eval entries over 527 classes, labels given as MIDs', async () => {
    const train = await manifest('audioset/as20k', 'train');
    const evaluation = await manifest('audioset/as20k', 'eval');
    expect(train.problems).toEqual([]);
    expect(evaluation.problems).toEqual([]);
    expect(train.entries.length).toBe(20550);
    expect(evaluation.entries.length).toBe(18886);
    expect(train.labelKeys.length).toBe(527);
    // First line of train.lbl: Y8KIoQ2HZ0Hg /m/02bxd,/m/04rlf
    const first = train.entries[0];
    expect(first.id).toBe('Y8KIoQ2HZ0Hg');
    expect(first.numSamples).toBe(160000);
    expect(first.path).toBe(
      '/inspire/hdd/global_user/zhouchushu-253108120180/raw_datas/audioset/wav_16k/bal_train/Y8KIoQ2HZ0Hg.wav',
    );
    expect(first.labels.map((i) => train.labelKeys[i])).toEqual(['/m/02bxd', '/m/04rlf']);
    // §11.5: 2.39 / 2.55 labels per clip.
    const perClip = (entries: { labels: number[] }[]) =>
      entries.reduce((sum, e) => sum + e.labels.length, 0) / entries.length;
    expect(perClip(train.entries)).toBeCloseTo(2.39, 2);
    expect(perClip(evaluation.entries)).toBeCloseTo(2.55, 2);
    // min_sample_size 10000 drops exactly one training clip (8,174 samples).
    const kept = dropShortClips(train.entries);
    expect(kept.dropped).toBe(1);
    expect(kept.entries.length).toBe(20549);
    expect(train.entries.find((e) => !kept.entries.includes(e))?.numSamples).toBe(8174);
  });

  it('ESC-50 fold 1: 400 eval / 1,600 train over 50 classes, labels given as class indices', async () => {
    const train = await manifest('esc50-fold1', 'train');
    const evaluation = await manifest('esc50-fold1', 'eval');
    expect([train.entries.length, evaluation.entries.length]).toEqual([1600, 400]);
    expect(train.labelNames.length).toBe(50);
    expect(train.problems.concat(evaluation.problems)).toEqual([]);
    // 2-107228-B-44.wav<TAB>44: the class is also the file name's last field.
    for (const entry of [...train.entries, ...evaluation.entries]) {
      expect(entry.labels).toEqual([Number(entry.id.split('-')[3])]);
    }
    expect(evaluation.entries.every((e) => e.id.startsWith('1-'))).toBe(true);
    expect(train.entries.some((e) => e.id.startsWith('1-'))).toBe(false);
    expect(train.labelNames[evaluation.entries[0].labels[0]]).toBe('hand_saw'); // 1-9886-A-49
  });

  it('Speech Commands v2 eval: 11,005 entries over 35 classes, labels given as words (no final newline)', async () => {
    const evaluation = await manifest('speechcommands-v2', 'eval');
    expect(evaluation.entries.length).toBe(11005);
    expect(evaluation.labelKeys.length).toBe(35);
    expect(evaluation.problems).toEqual([]);
    expect(new Set(evaluation.entries.flatMap((e) => e.labels)).size).toBe(35);
    for (const entry of evaluation.entries)
      expect(evaluation.labelKeys[entry.labels[0]]).toBe(entry.id.split('/')[0]);
  });

  it('records line-level problems and keeps the rest', () => {
    const labels = new LabelSet(['/m/a', '/m/b'], ['A', 'B']);
    const dataset = fairseqDataset({
      tsv: { file: 'x.tsv', text: '/data\na.wav\t16000\nb.wav\nc.wav\t16000\nd.wav\t12000\ne.wav\tlots\n' },
      lbl: { file: 'x.lbl', text: 'a /m/a,/m/zz\nb /m/b\nc /m/zz\nwrong /m/b\ne /m/a\n' },
      labels,
      root: '/local',
    });
    expect(dataset.entries.map((e) => [e.id, e.path, e.labels])).toEqual([
      ['a', '/local/a.wav', [0]],
      ['d', '/local/d.wav', [1]],
    ]);
    expect(dataset.problems).toEqual([
      { file: 'x.tsv', line: 3, reason: 'wrong field count: 1 instead of 2 (TAB-separated)' },
      { file: 'x.tsv', line: 6, reason: 'bad entry "e.wav\tlots" (expected path<TAB>num_samples)' },
      { file: 'x.lbl', line: 1, reason: 'unknown label "/m/zz"' },
      { file: 'x.lbl', line: 3, reason: 'unknown label "/m/zz"' },
      { file: 'x.lbl', line: 3, reason: 'entry "c.wav" dropped: no known label' },
      { file: 'x.lbl', line: 4, reason: 'id "wrong" does not match "d.wav"' },
    ]);
  });

  it('throws a clear error naming the file for a manifest wrong as a whole', () => {
    const labels = new LabelSet(['x']);
    expect(() => parseTsvManifest('', 'e.tsv')).toThrow('e.tsv: empty manifest');
    expect(() => parseTsvManifest('a.wav\t100\nb.wav\t100\n', 'noroot.tsv')).toThrow(
      /noroot\.tsv: first line must be the root/,
    );
    expect(() => parseTsvManifest('/root\n', 'only.tsv')).toThrow('only.tsv: no entries after the root line');
    expect(() => parseLbl('\n\n', 'e.lbl')).toThrow('e.lbl: no label lines');
    expect(() =>
      fairseqDataset({
        tsv: { file: 'a.tsv', text: '/r\na.wav\t1\nb.wav\t1\n' },
        lbl: { file: 'a.lbl', text: 'a x\n' },
        labels,
      }),
    ).toThrow('a.lbl: 1 label lines but 2 entries in a.tsv');
  });

  it('reads a .tsv alone as unlabelled pre-training entries', () => {
    const dataset = fairseqDataset({ tsv: { file: 'p.tsv', text: '/r/\nsub/Yabc.wav\t160000\n' } });
    expect(dataset.entries).toEqual([
      { id: 'sub/Yabc', path: '/r/sub/Yabc.wav', labels: [], numSamples: 160000 },
    ]);
  });
});

describe('JSON manifests', () => {
  it('reads the pre-training manifest with external features', () => {
    const text = JSON.stringify([
      {
        wav_path: '/d/unbal_train/Y95SYCuLHsNc.wav',
        clap_path: '/f/clap_embs/unbalanced_train_segments/unbalanced_train_segments_part10/Y95SYCuLHsNc.npy',
        num_frame: 160000,
      },
      { wav_path: '/d/x.wav', num_frame: 5 },
      { wav_path: '/d/y.wav', clap_path: '/f/y.npy', num_frame: -1 },
    ]);
    const dataset = parseFeatureManifest(text, 'train.json');
    expect(dataset.entries).toEqual([
      {
        id: 'Y95SYCuLHsNc',
        path: '/d/unbal_train/Y95SYCuLHsNc.wav',
        labels: [],
        numSamples: 160000,
        featurePath:
          '/f/clap_embs/unbalanced_train_segments/unbalanced_train_segments_part10/Y95SYCuLHsNc.npy',
      },
    ]);
    expect(dataset.problems.map((p) => [p.line, p.reason])).toEqual([
      [2, 'item lacks wav_path or clap_path'],
      [3, 'bad num_frame -1'],
    ]);
    expect(() => parseFeatureManifest('{"a":1}', 'bad.json')).toThrow(/bad\.json: expected a JSON list/);
  });

  it('reads AST-style datafiles against the AudioSet class list', async () => {
    const labels = parseLabelList(await readFixture('audioset/class_labels_indices.csv'));
    const text = JSON.stringify({
      data: [
        { wav: '/a/Y8KIoQ2HZ0Hg.wav', labels: '/m/02bxd,/m/04rlf' },
        { wav: '/a/Yzz.wav', labels: '/m/unknown' },
      ],
    });
    const dataset = parseAstDatafile(text, labels, 'as.json');
    expect(dataset.entries).toEqual([
      {
        id: 'Y8KIoQ2HZ0Hg',
        path: '/a/Y8KIoQ2HZ0Hg.wav',
        labels: [labels.resolve('/m/02bxd'), labels.resolve('/m/04rlf')],
      },
    ]);
    expect(dataset.problems).toEqual([
      { file: 'as.json', line: 2, reason: 'unknown label "/m/unknown"' },
      { file: 'as.json', line: 2, reason: 'entry "/a/Yzz.wav" dropped: no known label' },
    ]);
    expect(() => parseAstDatafile('[]', labels, 'l.json')).toThrow(/l\.json: expected \{"data"/);
  });
});
