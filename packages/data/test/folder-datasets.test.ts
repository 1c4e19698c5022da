import { describe, expect, it } from 'vitest';
import { classFolderDataset } from '../src/class-folders.js';
import { esc50Folds } from '../src/esc50.js';
import { formatLabelDescriptors, LabelSet, labelSetOf, parseLabelList } from '../src/labels.js';
import { loadClassFolders, loadEsc50, loadPathLabelCsv, loadSpeechCommands } from '../src/node-loaders.js';
import { parsePathLabelCsv } from '../src/path-label-csv.js';
import { speechCommandsSplits } from '../src/speech-commands.js';
import { fixturePath, readFixture, temporaryTree } from './fixtures.js';

describe('ESC-50 meta/esc50.csv', () => {
  it('splits the 5 folds: the test fold is eval, the other four train', async () => {
    const root = fixturePath('esc50-synthetic');
    const { train, eval: evaluation } = await loadEsc50(root, 2);
    expect(evaluation.entries.map((e) => e.id)).toEqual(['2-109505-A-2', '2-118072-A-0']);
    expect(evaluation.entries.map((e) => e.labels)).toEqual([[2], [0]]);
    expect(evaluation.entries[0].path).toBe(`${root}/audio/2-109505-A-2.wav`);
    expect(train.entries.length).toBe(8);
    expect(train.labelNames).toEqual(['dog', 'rooster', 'pig']);
    expect(train.labelKeys).toEqual(['0', '1', '2']);
    // Written back in the reference's label_descriptors.csv form (its ESC-50 file starts the same way).
    const descriptors = formatLabelDescriptors(labelSetOf(train));
    expect(descriptors).toBe('0,0,"dog"\n1,1,"rooster"\n2,2,"pig"\n');
    expect((await readFixture('esc50-fold1/label_descriptors.csv')).startsWith(descriptors)).toBe(true);
    expect(train.problems.map((p) => [p.line, p.reason])).toEqual([
      [12, 'bad fold "6" or target "0"'],
      [13, 'wrong field count: 5 instead of 7'],
    ]);
    for (let fold = 1; fold <= 5; fold++) {
      const split = esc50Folds(await readFixture('esc50-synthetic/meta/esc50.csv'), fold);
      expect(split.train.entries.length + split.eval.entries.length).toBe(10);
      expect(split.eval.entries.every((e) => e.id.startsWith(`${fold}-`))).toBe(true);
    }
  });

  it('rejects a wrong header or fold', () => {
    expect(() => esc50Folds('filename,fold\n', 1, { file: 'm.csv' })).toThrow(
      /m\.csv: header must name the columns/,
    );
    expect(() => esc50Folds('', 6)).toThrow(/fold must be 1\.\.5/);
  });
});

describe('Speech Commands v2 folder layout', () => {
  const files = {
    'right/a_nohash_0.wav': '',
    'right/b_nohash_0.wav': '',
    'yes/c_nohash_0.wav': '',
    'yes/d_nohash_1.wav': '',
    'house/e_nohash_0.wav': '',
    '_background_noise_/white_noise.wav': '',
    '_background_noise_/README.md': '',
    'validation_list.txt': 'yes/c_nohash_0.wav\n',
    'testing_list.txt': 'right/b_nohash_0.wav\nhouse/e_nohash_0.wav\nhouse/gone_nohash_0.wav\n',
    LICENSE: '',
  };

  it('splits by validation_list.txt / testing_list.txt, train = the rest, noise apart', async () => {
    const tree = await temporaryTree(files);
    try {
      const splits = await loadSpeechCommands(tree.root);
      expect(splits.train.labelKeys).toEqual(['house', 'right', 'yes']);
      expect(splits.train.entries.map((e) => [e.id, e.labels])).toEqual([
        ['right/a_nohash_0', [1]],
        ['yes/d_nohash_1', [2]],
      ]);
      expect(splits.validation.entries.map((e) => e.id)).toEqual(['yes/c_nohash_0']);
      expect(splits.test.entries.map((e) => e.id)).toEqual(['right/b_nohash_0', 'house/e_nohash_0']);
      expect(splits.test.entries[1].path).toBe(`${tree.root}/house/e_nohash_0.wav`);
      expect(splits.backgroundNoise).toEqual(['_background_noise_/white_noise.wav']);
      expect(splits.test.problems).toEqual([
        {
          file: `${tree.root}/testing_list.txt`,
          line: 3,
          reason: 'listed file "house/gone_nohash_0.wav" is missing',
        },
      ]);
      expect(splits.train.problems).toEqual([]);
    } finally {
      await tree.remove();
    }
  });

  it('uses a fixed label list (the reference order) when given', async () => {
    const reference = parseLabelList(await readFixture('speechcommands-v2/label_descriptors.csv'));
    const splits = speechCommandsSplits({
      files: ['house/e.wav', 'zero/f.wav', 'notaword/g.wav'],
      validationList: '',
      testingList: '',
      labels: reference,
    });
    expect(splits.train.entries.map((e) => e.labels)).toEqual([[0], [34]]);
    expect(splits.train.problems).toEqual([{ file: '.', line: 0, reason: 'unknown label "notaword"' }]);
  });
});

describe('folder per class', () => {
  it('labels files by their first folder, sorted, and reports stray files', async () => {
    const tree = await temporaryTree({
      'dog/a.wav': '',
      'dog/deep/b.flac': '',
      'cat/c.wav': '',
      'stray.wav': '',
      'cat/notes.txt': '',
    });
    try {
      const dataset = await loadClassFolders(tree.root);
      expect(dataset.labelKeys).toEqual(['cat', 'dog']);
      expect(dataset.entries.map((e) => [e.id, e.labels])).toEqual([
        ['cat/c', [0]],
        ['dog/a', [1]],
        ['dog/deep/b', [1]],
      ]);
      expect(dataset.problems).toEqual([
        { file: tree.root, line: 0, reason: '"stray.wav" is not inside a class folder' },
      ]);
    } finally {
      await tree.remove();
    }
  });

  it('keeps a given label list', () => {
    const dataset = classFolderDataset(['b/x.wav'], { labels: new LabelSet(['a', 'b']) });
    expect(dataset.entries[0].labels).toEqual([1]);
  });
});

describe('path,label CSV', () => {
  it('accepts one or several labels per clip, quoted with commas or separated by semicolons', async () => {
    const text = 'path,labels\na.wav,"dog,bark"\nsub/b.wav,cat;purr\nc.wav,dog\nd.wav,dog,bark\ne.wav,\n';
    const tree = await temporaryTree({ 'clips.csv': text });
    try {
      const dataset = await loadPathLabelCsv(`${tree.root}/clips.csv`);
      expect(dataset.labelKeys).toEqual(['bark', 'cat', 'dog', 'purr']);
      expect(dataset.entries.map((e) => [e.id, e.path, e.labels])).toEqual([
        ['a', `${tree.root}/a.wav`, [2, 0]],
        ['sub/b', `${tree.root}/sub/b.wav`, [1, 3]],
        ['c', `${tree.root}/c.wav`, [2]],
      ]);
      expect(dataset.problems.map((p) => [p.line, p.reason])).toEqual([
        [5, 'wrong field count: 3 instead of 2 (quote label lists with commas)'],
        [6, 'entry "e.wav" dropped: no known label'],
      ]);
    } finally {
      await tree.remove();
    }
  });

  it('resolves labels against a fixed list by key, name or index', async () => {
    const labels = parseLabelList(await readFixture('audioset/class_labels_indices.csv'));
    const dataset = parsePathLabelCsv('x.wav,/m/09x0r;Male speech, man speaking\ny.wav,"0,526"\n', {
      labels,
      root: '/r',
    });
    expect(dataset.problems.map((p) => p.reason)).toEqual([
      'wrong field count: 3 instead of 2 (quote label lists with commas)',
    ]);
    expect(dataset.entries).toEqual([{ id: 'y', path: '/r/y.wav', labels: [0, 526] }]);
    expect(() => parsePathLabelCsv('path,label\n', { file: 'h.csv' })).toThrow('h.csv: no path,label rows');
  });
});
