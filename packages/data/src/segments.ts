import { DataFormatError } from './errors.js';
import { type LabelSet, labelledDataset, resolveLabels, splitLabelList } from './labels.js';
import { splitCsvLine, textLines } from './text.js';
import type { ClipEntry, Dataset, Problem } from './types.js';

/** One row of an official AudioSet segment CSV. */
export interface Segment {
  ytid: string;
  startSeconds: number;
  endSeconds: number;
  /** Label MIDs as written. */
  labels: string[];
  line: number;
}

/** The counts an AudioSet segment CSV states in its `# num_ytids=…, num_segs=…` comment line. */
export interface SegmentHeader {
  numYtids?: number;
  numSegs?: number;
  numUniqueLabels?: number;
  numPositiveLabels?: number;
}

export interface SegmentList {
  file: string;
  header: SegmentHeader;
  segments: Segment[];
  problems: Problem[];
}

const headerKeys: Record<string, keyof SegmentHeader> = {
  num_ytids: 'numYtids',
  num_segs: 'numSegs',
  num_unique_labels: 'numUniqueLabels',
  num_positive_labels: 'numPositiveLabels',
};

/**
 * Parses `balanced_train_segments.csv` / `eval_segments.csv` / `unbalanced_train_segments.csv`:
 * `#` comment lines (one carries the counts), then `YTID, start, end, "mid,mid"`. The stated counts are
 * checked against the rows read; a mismatch is recorded as a problem on the header line.
 */
export function parseSegmentsCsv(text: string, file = 'segments.csv'): SegmentList {
  const header: SegmentHeader = {};
  let headerLine = 0;
  const segments: Segment[] = [];
  const problems: Problem[] = [];
  for (const { text: line, line: number } of textLines(text)) {
    if (line.startsWith('#')) {
      for (const match of line.matchAll(/(\w+)=(\d+)/g)) {
        const key = headerKeys[match[1]];
        if (key !== undefined) {
          header[key] = Number(match[2]);
          headerLine = number;
        }
      }
      continue;
    }
    const fields = splitCsvLine(line, true);
    if (fields === undefined || fields.length !== 4) {
      const reason =
        fields === undefined ? 'unterminated quote' : `wrong field count: ${fields.length} instead of 4`;
      problems.push({ file, line: number, reason });
      continue;
    }
    const [ytid, start, end, labels] = fields;
    const startSeconds = Number(start);
    const endSeconds = Number(end);
    if (
      start.trim() === '' ||
      end.trim() === '' ||
      !Number.isFinite(startSeconds) ||
      !(endSeconds > startSeconds)
    ) {
      problems.push({ file, line: number, reason: `bad time range "${start}" to "${end}"` });
      continue;
    }
    segments.push({ ytid, startSeconds, endSeconds, labels: splitLabelList(labels), line: number });
  }
  if (segments.length === 0)
    throw new DataFormatError(file, 'no segment rows (expected YTID, start, end, "labels")');
  checkHeaderCounts(header, segments, file, headerLine, problems);
  return { file, header, segments, problems };
}

function checkHeaderCounts(
  header: SegmentHeader,
  segments: Segment[],
  file: string,
  line: number,
  problems: Problem[],
): void {
  const uniqueLabels = new Set<string>();
  let positiveLabels = 0;
  for (const segment of segments) {
    for (const label of segment.labels) uniqueLabels.add(label);
    positiveLabels += segment.labels.length;
  }
  const actual: Required<SegmentHeader> = {
    numYtids: new Set(segments.map((segment) => segment.ytid)).size,
    numSegs: segments.length,
    numUniqueLabels: uniqueLabels.size,
    numPositiveLabels: positiveLabels,
  };
  for (const [name, key] of Object.entries(headerKeys)) {
    const stated = header[key];
    if (stated !== undefined && stated !== actual[key]) {
      problems.push({
        file,
        line,
        reason: `header states ${name}=${stated} but the rows give ${actual[key]}`,
      });
    }
  }
}

/**
 * A dataset from a segment list. Paths default to `Y<ytid>.wav` under `root`; use `matchSegmentsToFiles`
 * to point at the files actually present. Unknown labels are problems; a segment left with no known
 * label is dropped.
 */
export function segmentsToDataset(
  list: SegmentList,
  labels: LabelSet,
  pathOf: (segment: Segment) => string = (segment) => `Y${segment.ytid}.wav`,
): Dataset {
  const problems = [...list.problems];
  const entries: ClipEntry[] = [];
  for (const segment of list.segments) {
    const entry = segmentEntry(segment, labels, pathOf(segment), list.file, problems);
    if (entry !== undefined) entries.push(entry);
  }
  return labelledDataset(entries, labels, problems);
}

/** The entry of one segment, or undefined (with a problem) when none of its labels is known. */
export function segmentEntry(
  segment: Segment,
  labels: LabelSet,
  path: string,
  file: string,
  problems: Problem[],
): ClipEntry | undefined {
  const indices = resolveLabels(labels, segment.labels, file, segment.line, problems);
  if (indices.length === 0) {
    problems.push({ file, line: segment.line, reason: `segment ${segment.ytid} dropped: no known label` });
    return undefined;
  }
  return { id: segment.ytid, path, labels: indices };
}
