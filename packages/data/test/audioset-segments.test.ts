import { describe, expect, it } from 'vitest';
import {
  findSegmentFile,
  indexAudioSetFiles,
  matchSegmentsToFiles,
  parseAudioSetFileName,
  timeStampMatches,
} from '../src/audioset-files.js';
import { LabelSet, parseLabelList } from '../src/labels.js';
import { indexAudioSetDirectory, loadSegmentsCsv } from '../src/node-loaders.js';
import { parseSegmentsCsv, segmentsToDataset } from '../src/segments.js';
import { fixturePath, readFixture, temporaryTree } from './fixtures.js';

describe('AudioSet segment CSVs', () => {
  it('reads balanced_train_segments.csv and confirms the counts its header states', async () => {
    const list = await loadSegmentsCsv(fixturePath('audioset/balanced_train_segments.csv.gz'));
    expect(list.header).toEqual({
      numYtids: 22160,
      numSegs: 22160,
      numUniqueLabels: 527,
      numPositiveLabels: 52882,
    });
    expect(list.problems).toEqual([]);
    expect(list.segments.length).toBe(22160);
    expect(list.segments[0]).toEqual({
      ytid: '--PJHxphWEs',
      startSeconds: 30,
      endSeconds: 40,
      labels: ['/m/09x0r', '/t/dd00088'],
      line: 4,
    });
  });

  it('reads eval_segments.csv and confirms the counts its header states', async () => {
    const list = parseSegmentsCsv(await readFixture('audioset/eval_segments.csv.gz'), 'eval_segments.csv');
    expect(list.header).toEqual({
      numYtids: 20371,
      numSegs: 20371,
      numUniqueLabels: 527,
      numPositiveLabels: 51804,
    });
    expect(list.problems).toEqual([]);
    const labels = parseLabelList(await readFixture('audioset/class_labels_indices.csv'));
    const dataset = segmentsToDataset(list, labels);
    expect(dataset.entries.length).toBe(20371);
    expect(dataset.entries.reduce((sum, e) => sum + e.labels.length, 0)).toBe(51804);
    expect(dataset.entries[0].path).toBe('Y--4gqARaEJE.wav');
  });

  it('records bad rows and header mismatches as problems', () => {
    const text = [
      '# Segments csv created Sun Mar  5 10:54:31 2017',
      '# num_ytids=3, num_segs=3, num_unique_labels=2, num_positive_labels=3',
      '# YTID, start_seconds, end_seconds, positive_labels',
      'aaaaaaaaaaa, 30.000, 40.000, "/m/a,/m/b"',
      'bbbbbbbbbbb, 0.000, 10.000',
      'ccccccccccc, 10.000, 5.000, "/m/a"',
      'ddddddddddd, 1.000, 11.000, "/m/zz"',
      'eeeeeeeeeee, 1.000, 11.000, "/m/a',
    ].join('\n');
    const list = parseSegmentsCsv(text, 's.csv');
    expect(list.segments.map((s) => s.ytid)).toEqual(['aaaaaaaaaaa', 'ddddddddddd']);
    expect(list.problems).toEqual([
      { file: 's.csv', line: 5, reason: 'wrong field count: 3 instead of 4' },
      { file: 's.csv', line: 6, reason: 'bad time range "10.000" to "5.000"' },
      { file: 's.csv', line: 8, reason: 'unterminated quote' },
      { file: 's.csv', line: 2, reason: 'header states num_ytids=3 but the rows give 2' },
      { file: 's.csv', line: 2, reason: 'header states num_segs=3 but the rows give 2' },
      { file: 's.csv', line: 2, reason: 'header states num_unique_labels=2 but the rows give 3' },
    ]);
    const dataset = segmentsToDataset(list, new LabelSet(['/m/a', '/m/b']));
    expect(dataset.entries.map((e) => [e.id, e.labels])).toEqual([['aaaaaaaaaaa', [0, 1]]]);
    expect(dataset.problems.slice(-2)).toEqual([
      { file: 's.csv', line: 7, reason: 'unknown label "/m/zz"' },
      { file: 's.csv', line: 7, reason: 'segment ddddddddddd dropped: no known label' },
    ]);
    expect(() => parseSegmentsCsv('# only comments\n', 'c.csv')).toThrow(/c\.csv: no segment rows/);
  });
});

describe('AudioSet audio file names', () => {
  it('parses the usual naming schemes (ids may start with Y and contain _ or -)', () => {
    expect(parseAudioSetFileName('YX3Oo3xTaL-I.wav')).toEqual({ ytid: 'X3Oo3xTaL-I' });
    expect(parseAudioSetFileName('X3Oo3xTaL-I.wav')).toEqual({ ytid: 'X3Oo3xTaL-I' });
    expect(parseAudioSetFileName('Yabcdefghij.wav')).toEqual({ ytid: 'Yabcdefghij' });
    expect(parseAudioSetFileName('part01/--PJHxphWEs_30000.flac')).toEqual({
      ytid: '--PJHxphWEs',
      start: '30000',
    });
    expect(parseAudioSetFileName('Y--PJHxphWEs_30.000_40.000.wav')).toEqual({
      ytid: '--PJHxphWEs',
      start: '30.000',
      end: '40.000',
    });
    expect(parseAudioSetFileName('a_b_c_d_e_f_30_40.wav')).toEqual({
      ytid: 'a_b_c_d_e_f',
      start: '30',
      end: '40',
    });
    expect(parseAudioSetFileName('Y--PJHxphWEs.npy')).toBeUndefined();
    expect(parseAudioSetFileName('short.wav')).toBeUndefined();
  });

  it('matches start times in seconds or milliseconds', () => {
    expect(timeStampMatches('30000', 30)).toBe(true);
    expect(timeStampMatches('30', 30)).toBe(true);
    expect(timeStampMatches('30.000', 30)).toBe(true);
    expect(timeStampMatches('30.500', 30.5)).toBe(true);
    expect(timeStampMatches('30500', 30.5)).toBe(true);
    expect(timeStampMatches('31.000', 30)).toBe(false);
    expect(timeStampMatches('3000', 30)).toBe(false);
  });

  it('indexes a sharded directory tree and reports found / missing segments', async () => {
    const list = await loadSegmentsCsv(fixturePath('audioset/balanced_train_segments.csv.gz'));
    const [s0, s1, s2, s3, s4] = list.segments;
    const tree = await temporaryTree({
      [`bal/part00/Y${s0.ytid}.wav`]: '',
      [`bal/part00/${s1.ytid}_${s1.startSeconds * 1000}.flac`]: '',
      [`bal/part01/${s2.ytid}_${s2.startSeconds.toFixed(3)}_${s2.endSeconds.toFixed(3)}.wav`]: '',
      [`bal/part01/${s3.ytid}_${s3.startSeconds + 1}.wav`]: '', // wrong start: not this segment
      'bal/part01/notes.txt': '',
      'bal/part01/readme.wav': '',
    });
    try {
      const index = await indexAudioSetDirectory(tree.root);
      expect(index.unrecognised).toEqual(['bal/part01/readme.wav']);
      expect(findSegmentFile(index, s1)?.relativePath).toBe(
        `bal/part00/${s1.ytid}_${s1.startSeconds * 1000}.flac`,
      );
      expect(findSegmentFile(index, s3)).toBeUndefined();
      const labels = parseLabelList(await readFixture('audioset/class_labels_indices.csv'));
      const match = matchSegmentsToFiles(list, index, labels);
      expect(match.found).toBe(3);
      expect(match.missing.length).toBe(22157);
      expect(match.missing.includes(s3) && match.missing.includes(s4)).toBe(true);
      expect(match.dataset.entries.map((e) => e.path)).toEqual([
        `${tree.root}/bal/part00/Y${s0.ytid}.wav`,
        `${tree.root}/bal/part00/${s1.ytid}_${s1.startSeconds * 1000}.flac`,
        `${tree.root}/bal/part01/${s2.ytid}_${s2.startSeconds.toFixed(3)}_${s2.endSeconds.toFixed(3)}.wav`,
      ]);
      expect(match.dataset.entries[0].labels.map((i) => labels.keys[i])).toEqual(s0.labels);
    } finally {
      await tree.remove();
    }
  });

  it('indexes relative paths without touching the disk', () => {
    const index = indexAudioSetFiles(['a/Yaaaaaaaaaaa.wav', 'b/aaaaaaaaaaa_10000.wav', 'x.txt'], '/root');
    expect(index.byYtid.get('aaaaaaaaaaa')?.map((f) => f.relativePath)).toEqual([
      'a/Yaaaaaaaaaaa.wav',
      'b/aaaaaaaaaaa_10000.wav',
    ]);
    expect(index.unrecognised).toEqual(['x.txt']);
  });
});
