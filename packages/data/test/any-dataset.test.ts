import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnyDataset } from '../src/any-dataset.js';
import { fixturePath, temporaryTree } from './fixtures.js';

describe('loadAnyDataset recognises the layout from the path', () => {
  it('reads the reference .tsv with its .lbl and label_descriptors.csv beside it (AS-20K, ESC-50)', async () => {
    const as20k = await loadAnyDataset(fixturePath('audioset/as20k/train.tsv.gz'));
    expect(as20k.kind).toBe('fairseq-tsv');
    expect(as20k.dataset.entries.length).toBe(20550);
    expect(as20k.dataset.labelKeys.length).toBe(527);
    expect(as20k.sources.map((s) => s.split('/').at(-1))).toEqual([
      'train.tsv.gz',
      'label_descriptors.csv',
      'train.lbl.gz',
    ]);
    const esc = await loadAnyDataset(fixturePath('esc50-fold1/train.tsv'), { root: '/data/esc50' });
    expect(esc.dataset.entries.length).toBe(1600);
    expect(esc.dataset.entries[0]).toMatchObject({ path: '/data/esc50/2-107228-B-44.wav', labels: [44] });
  });

  it('reads folders: Speech Commands, ESC-50, class folders, AudioSet-named and flat audio', async () => {
    const tree = await temporaryTree({
      'spc/yes/a_nohash_0.wav': '',
      'spc/yes/b_nohash_0.wav': '',
      'spc/no/c_nohash_0.wav': '',
      'spc/_background_noise_/noise.wav': '',
      'spc/validation_list.txt': 'yes/b_nohash_0.wav\n',
      'spc/testing_list.txt': 'no/c_nohash_0.wav\n',
      'esc/meta/esc50.csv':
        'filename,fold,target,category,esc10,src_file,take\n1-1-A-0.wav,1,0,dog,True,1,A\n2-2-A-1.wav,2,1,rooster,True,2,A\n',
      'classes/dog/x.flac': '',
      'classes/cat/y.wav': '',
      'classes/readme.txt': '',
      'audioset/part00/Y--PJHxphWEs.wav': '',
      'audioset/part01/--ZhevVpy1s_50_60.flac': '',
      'flat/one.wav': '',
      'flat/two.mp3': '',
      'silent/readme.txt': '',
    });
    try {
      const spc = await loadAnyDataset(join(tree.root, 'spc'));
      expect(spc.kind).toBe('speech-commands');
      expect(spc.dataset.entries.map((e) => e.id)).toEqual([
        'yes/a_nohash_0',
        'yes/b_nohash_0',
        'no/c_nohash_0',
      ]);
      expect(Object.fromEntries(Object.entries(spc.splits!).map(([k, v]) => [k, v.entries.length]))).toEqual({
        train: 1,
        validation: 1,
        test: 1,
      });
      const esc = await loadAnyDataset(join(tree.root, 'esc'));
      expect(esc.kind).toBe('esc50');
      expect(esc.dataset.entries.map((e) => e.path)).toEqual([
        join(tree.root, 'esc/audio/1-1-A-0.wav'),
        join(tree.root, 'esc/audio/2-2-A-1.wav'),
      ]);
      const classes = await loadAnyDataset(join(tree.root, 'classes'));
      expect(classes.kind).toBe('class-folders');
      expect(classes.dataset.labelKeys).toEqual(['cat', 'dog']);
      expect(classes.dataset.entries.map((e) => [e.id, e.labels])).toEqual([
        ['cat/y', [0]],
        ['dog/x', [1]],
      ]);
      const audioset = await loadAnyDataset(join(tree.root, 'audioset'));
      expect(audioset.kind).toBe('audioset-folder');
      expect(audioset.dataset.entries.length).toBe(2);
      const flat = await loadAnyDataset(join(tree.root, 'flat'));
      expect(flat.kind).toBe('audio-folder');
      expect(flat.dataset.entries.map((e) => [e.id, e.labels])).toEqual([
        ['one', []],
        ['two', []],
      ]);
      await expect(loadAnyDataset(join(tree.root, 'silent'))).rejects.toThrow(/silent: no audio files/);
      await expect(loadAnyDataset(join(tree.root, 'nope'))).rejects.toThrow(/nope: no such file or folder/);
    } finally {
      await tree.remove();
    }
  });

  it('reads JSON manifests and CSVs: feature list, AST datafile, ESC-50 meta, AudioSet segments, path,label', async () => {
    const tree = await temporaryTree({
      'features/train.json': JSON.stringify([
        { wav_path: '/a/Y1.wav', clap_path: '/f/Y1.npy', num_frame: 160000 },
        { wav_path: 'rel/Y2.wav', clap_path: 'rel/Y2.npy', num_frame: 150000 },
      ]),
      'ast/data.json': JSON.stringify({
        data: [
          { wav: 'x.wav', labels: '/m/b,/m/a' },
          { wav: '/abs/y.wav', labels: '/m/a' },
        ],
      }),
      'ast-labelled/data.json': JSON.stringify({ data: [{ wav: 'x.wav', labels: 'dog' }] }),
      'ast-labelled/class_labels_indices.csv': 'index,mid,display_name\n0,/m/c,cat\n1,/m/d,dog\n',
      'esc/meta/esc50.csv':
        'filename,fold,target,category,esc10,src_file,take\n1-1-A-0.wav,1,0,dog,True,1,A\n',
      'segments-audio/sub/Y--PJHxphWEs.wav': '',
      'segments-audio/--ZhevVpy1s_50000_60000.flac': '',
      'labels.csv': 'path,label\na.wav,"dog,bark"\nb.wav,cat\nc.wav\n',
      'weird.txt': '',
    });
    try {
      const features = await loadAnyDataset(join(tree.root, 'features/train.json'));
      expect(features.kind).toBe('feature-json');
      expect(features.dataset.entries.map((e) => [e.path, e.featurePath])).toEqual([
        ['/a/Y1.wav', '/f/Y1.npy'],
        [join(tree.root, 'features/rel/Y2.wav'), join(tree.root, 'features/rel/Y2.npy')],
      ]);
      const ast = await loadAnyDataset(join(tree.root, 'ast/data.json'));
      expect(ast.kind).toBe('ast-json');
      expect(ast.dataset.labelKeys).toEqual(['/m/a', '/m/b']);
      expect(ast.dataset.entries.map((e) => [e.path, e.labels])).toEqual([
        [join(tree.root, 'ast/x.wav'), [1, 0]],
        ['/abs/y.wav', [0]],
      ]);
      const labelled = await loadAnyDataset(join(tree.root, 'ast-labelled/data.json'));
      expect(labelled.dataset.labelNames).toEqual(['cat', 'dog']);
      expect(labelled.dataset.entries[0].labels).toEqual([1]);

      const esc = await loadAnyDataset(join(tree.root, 'esc/meta/esc50.csv'));
      expect(esc.kind).toBe('esc50-csv');
      expect(esc.dataset.entries[0].path).toBe(join(tree.root, 'esc/audio/1-1-A-0.wav'));

      const segments = await loadAnyDataset(fixturePath('audioset/balanced_train_segments.csv.gz'), {
        root: join(tree.root, 'segments-audio'),
      });
      expect(segments.kind).toBe('audioset-segments');
      expect(segments.dataset.entries.map((e) => [e.id, e.path])).toEqual([
        ['--PJHxphWEs', join(tree.root, 'segments-audio/sub/Y--PJHxphWEs.wav')],
        ['--ZhevVpy1s', join(tree.root, 'segments-audio/--ZhevVpy1s_50000_60000.flac')],
      ]);
      // The header states 22,160 segments: all but the two present are reported missing.
      const missing = segments.dataset.problems.filter((p) =>
        p.reason.startsWith('no audio file for segment'),
      );
      expect(missing.length).toBe(22160 - 2);
      expect(missing[0]).toMatchObject({
        line: 6,
        reason: expect.stringMatching(/segment \S+ \(\d+-\d+ s\) below/),
      });

      const csv = await loadAnyDataset(join(tree.root, 'labels.csv'));
      expect(csv.kind).toBe('path-label-csv');
      expect(csv.dataset.labelKeys).toEqual(['bark', 'cat', 'dog']);
      expect(csv.dataset.entries.map((e) => [e.path, e.labels])).toEqual([
        [join(tree.root, 'a.wav'), [2, 0]],
        [join(tree.root, 'b.wav'), [1]],
      ]);
      expect(csv.dataset.problems.map((p) => p.line)).toEqual([4]);
      await expect(loadAnyDataset(fixturePath('audioset/class_labels_indices.csv'))).rejects.toThrow(
        /is a label list/,
      );
      await expect(loadAnyDataset(join(tree.root, 'weird.txt'))).rejects.toThrow(
        /expected a folder, a \.tsv, a \.json or a \.csv/,
      );
    } finally {
      await tree.remove();
    }
  });

  it('splits ESC-50 by a held-out fold when asked: test = that fold, train = the other four', async () => {
    const folder = fixturePath('esc50-synthetic');
    const csv = join(folder, 'meta', 'esc50.csv');
    const whole = await loadAnyDataset(folder);
    expect(whole.splits).toBeUndefined();
    expect(whole.dataset.entries).toHaveLength(10);
    expect(whole.dataset.problems.map((p) => p.line)).toEqual([12, 13]);
    for (const path of [folder, csv]) {
      const loaded = await loadAnyDataset(path, { fold: 4 });
      expect(loaded.kind).toBe(path === folder ? 'esc50' : 'esc50-csv');
      const files = (part: 'train' | 'test') =>
        loaded.splits![part].entries.map((e) => e.path.split('/').at(-1)!.split('-')[0]);
      expect(files('test')).toEqual(['4', '4']);
      expect(files('train')).toEqual(['1', '1', '2', '2', '3', '3', '5', '5']);
      expect(loaded.splits!.test.entries.map((e) => e.path)).toEqual([
        join(folder, 'audio', '4-182395-A-0.wav'),
        join(folder, 'audio', '4-191297-B-1.wav'),
      ]);
      expect(loaded.splits!.train.labelNames).toEqual(['dog', 'rooster', 'pig']);
      expect(loaded.dataset.entries).toHaveLength(10);
      // The file's bad rows (a fold 6, a short row) are problems of both splits.
      expect(loaded.splits!.test.problems.map((p) => p.line)).toEqual([12, 13]);
    }
    await expect(loadAnyDataset(folder, { fold: 6 })).rejects.toThrow(
      `${csv}: ESC-50 test fold must be 1..5, got 6`,
    );
    await expect(loadAnyDataset(fixturePath('esc50-fold1/train.tsv'), { fold: 2 })).rejects.toThrow(
      /train\.tsv: a fold \(2\) selects ESC-50 splits, but this is fairseq-tsv/,
    );
  });
});
