import { type LabelSet, labelledDataset } from './labels.js';
import { type Segment, type SegmentList, segmentEntry } from './segments.js';
import { joinPath } from './text.js';
import type { ClipEntry, Dataset } from './types.js';

/** What an AudioSet audio file name says about its clip. */
export interface AudioSetFileName {
  ytid: string;
  /** Start / end as written (`30`, `30000`, `30.000`); see `timeStampMatches`. */
  start?: string;
  end?: string;
}

export const audioExtensions: readonly string[] = ['wav', 'flac', 'mp3', 'ogg', 'opus', 'm4a'];

// YouTube ids are exactly 11 characters of [A-Za-z0-9_-], which makes the optional `Y` prefix and the
// `_start_end` suffix unambiguous even though ids may themselves start with `Y` or contain `_`.
const fileNamePattern = /^Y?([A-Za-z0-9_-]{11})(?:_(\d+(?:\.\d+)?)(?:_(\d+(?:\.\d+)?))?)?\.([A-Za-z0-9]+)$/;

/**
 * Parses `Y<ytid>.wav`, `<ytid>.wav`, `<ytid>_<start>.flac`, `<ytid>_<start>_<end>.wav` (folders ignored).
 * Returns undefined for other names and non-audio extensions.
 */
export function parseAudioSetFileName(path: string): AudioSetFileName | undefined {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const match = fileNamePattern.exec(name);
  if (match === null || !audioExtensions.includes(match[4].toLowerCase())) return undefined;
  const parsed: AudioSetFileName = { ytid: match[1] };
  if (match[2] !== undefined) parsed.start = match[2];
  if (match[3] !== undefined) parsed.end = match[3];
  return parsed;
}

/**
 * Whether a time stamp from a file name denotes `seconds`. With a decimal point it is seconds (`30.000`);
 * an integer is accepted as milliseconds (`30000`) or as whole seconds (`30`), since both conventions exist
 * and AudioSet segments start on whole seconds far below 1000 s.
 */
export function timeStampMatches(stamp: string, seconds: number): boolean {
  const value = Number(stamp);
  if (stamp.includes('.')) return Math.abs(value - seconds) < 5e-4;
  return value === Math.round(seconds * 1000) || value === seconds;
}

export interface AudioSetFile extends AudioSetFileName {
  relativePath: string;
}

/** Audio files of a directory tree, grouped by YouTube id. */
export interface AudioSetFileIndex {
  root: string;
  byYtid: Map<string, AudioSetFile[]>;
  /** Relative paths whose names are not AudioSet names. */
  unrecognised: string[];
}

/** Indexes relative paths (any folder sharding, e.g. `unbal_train/part07/Y…wav`) by YouTube id. */
export function indexAudioSetFiles(relativePaths: readonly string[], root = ''): AudioSetFileIndex {
  const byYtid = new Map<string, AudioSetFile[]>();
  const unrecognised: string[] = [];
  for (const relativePath of relativePaths) {
    const parsed = parseAudioSetFileName(relativePath);
    if (parsed === undefined) {
      unrecognised.push(relativePath);
      continue;
    }
    const files = byYtid.get(parsed.ytid);
    if (files === undefined) byYtid.set(parsed.ytid, [{ ...parsed, relativePath }]);
    else files.push({ ...parsed, relativePath });
  }
  return { root, byYtid, unrecognised };
}

/** The file of a segment: same id, and its start/end (when the name has them) equal to the segment's. */
export function findSegmentFile(index: AudioSetFileIndex, segment: Segment): AudioSetFile | undefined {
  return index.byYtid
    .get(segment.ytid)
    ?.find(
      (file) =>
        (file.start === undefined || timeStampMatches(file.start, segment.startSeconds)) &&
        (file.end === undefined || timeStampMatches(file.end, segment.endSeconds)),
    );
}

export interface SegmentMatch {
  /** Segments with a file, as entries whose paths point at the files. */
  dataset: Dataset;
  found: number;
  missing: Segment[];
}

/** Matches segment rows to indexed files and reports how many were found / missing. */
export function matchSegmentsToFiles(
  list: SegmentList,
  index: AudioSetFileIndex,
  labels: LabelSet,
): SegmentMatch {
  const problems = [...list.problems];
  const entries: ClipEntry[] = [];
  const missing: Segment[] = [];
  for (const segment of list.segments) {
    const file = findSegmentFile(index, segment);
    if (file === undefined) {
      missing.push(segment);
      continue;
    }
    const entry = segmentEntry(segment, labels, joinPath(index.root, file.relativePath), list.file, problems);
    if (entry !== undefined) entries.push(entry);
  }
  return {
    dataset: labelledDataset(entries, labels, problems),
    found: list.segments.length - missing.length,
    missing,
  };
}
