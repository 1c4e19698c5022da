import { DataFormatError } from './errors.js';
import { LabelSet, labelledDataset, resolveLabels, splitLabelList } from './labels.js';
import { stem } from './text.js';
import type { ClipEntry, Dataset, Problem } from './types.js';

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataFormatError(file, `not JSON (${(error as Error).message})`);
  }
}

/**
 * The reference's pre-training manifest with external features (`{split}.json`): a JSON list of
 * `{"wav_path", "clap_path", "num_frame"}` (`num_frame` is a sample count). Entries are unlabelled.
 */
export function parseFeatureManifest(text: string, file = 'train.json'): Dataset {
  const raw = parseJson(text, file);
  if (!Array.isArray(raw))
    throw new DataFormatError(file, 'expected a JSON list of {wav_path, clap_path, num_frame}');
  const entries: ClipEntry[] = [];
  const problems: Problem[] = [];
  raw.forEach((item: any, index) => {
    const line = index + 1;
    if (typeof item?.wav_path !== 'string' || typeof item.clap_path !== 'string') {
      problems.push({ file, line, reason: 'item lacks wav_path or clap_path' });
      return;
    }
    const numSamples = item.num_frame;
    if (!Number.isInteger(numSamples) || numSamples < 0) {
      problems.push({ file, line, reason: `bad num_frame ${JSON.stringify(numSamples)}` });
      return;
    }
    entries.push({
      id: stem(item.wav_path),
      path: item.wav_path,
      labels: [],
      numSamples,
      featurePath: item.clap_path,
    });
  });
  if (entries.length === 0) throw new DataFormatError(file, 'no usable entries');
  return labelledDataset(entries, new LabelSet([]), problems);
}

/** AST-style datafile: `{"data": [{"wav": path, "labels": "mid,mid"}]}`. */
export function parseAstDatafile(text: string, labels: LabelSet, file = 'data.json'): Dataset {
  const raw = parseJson(text, file) as any;
  if (!Array.isArray(raw?.data))
    throw new DataFormatError(file, 'expected {"data": [{"wav": ..., "labels": ...}]}');
  const entries: ClipEntry[] = [];
  const problems: Problem[] = [];
  (raw.data as any[]).forEach((item, index) => {
    const line = index + 1;
    if (typeof item?.wav !== 'string' || typeof item.labels !== 'string') {
      problems.push({ file, line, reason: 'item lacks a "wav" or "labels" string' });
      return;
    }
    const indices = resolveLabels(labels, splitLabelList(item.labels), file, line, problems);
    if (indices.length === 0) {
      problems.push({ file, line, reason: `entry "${item.wav}" dropped: no known label` });
      return;
    }
    entries.push({ id: stem(item.wav), path: item.wav, labels: indices });
  });
  if (entries.length === 0) throw new DataFormatError(file, 'no usable entries');
  return labelledDataset(entries, labels, problems);
}
