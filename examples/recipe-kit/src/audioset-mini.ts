/**
 * A miniature AudioSet in the layout of a typical download: the segment lists (`balanced_train_segments.csv`,
 * `eval_segments.csv`) with `class_labels_indices.csv` beside them, and 10 s, 16 kHz mono WAV files named
 * `Y<YTID>.wav` (the reference's naming) under `audio/bal_train/` and `audio/eval/`, one listed segment of each
 * list missing as downloads always miss some. The audio is real: Sonic Pi's CC0 recordings, labelled with the
 * AudioSet classes they are examples of. For tests and for trying the programs without AudioSet.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav } from '@cat/frontend';
import { writeFileAtomic } from '@cat/frontend/node';
import { clip, sonicPiNames, sonicPiRecording } from './sonic-pi.js';

/** Sonic Pi file-name prefix → the AudioSet classes (MIDs) its recordings belong to. */
export const MINI_GROUPS: readonly { prefix: string; mids: string[] }[] = [
  { prefix: 'bd_', mids: ['/m/0bm02', '/m/026t6', '/m/0l14md'] }, // Bass drum, Drum, Percussion
  { prefix: 'hat_', mids: ['/m/03qtq', '/m/01qbl', '/m/0l14md'] }, // Hi-hat, Cymbal, Percussion
  { prefix: 'tabla_', mids: ['/m/01p970', '/m/026t6', '/m/0l14md'] }, // Tabla, Drum, Percussion
  { prefix: 'elec_', mids: ['/m/02lkt', '/m/04rlf'] }, // Electronic music, Music
];
const RATE = 16_000;
const SECONDS = 10;

export interface MiniSegment {
  ytid: string;
  mids: string[];
  /** The WAV file, relative to the dataset folder; undefined for the segment whose audio is missing. */
  file?: string;
}

export interface MiniAudioSet {
  dir: string;
  /** The segment lists and the class list beside them. */
  trainCsv: string;
  evalCsv: string;
  labels: string;
  /** Folder below which the audio files are (both lists). */
  audio: string;
  train: MiniSegment[];
  eval: MiniSegment[];
}

/** The class list shipped with this package (AudioSet's 527 classes, `index,mid,display_name`). */
export function classLabelsFile(): string {
  // One folder up from both src/ and dist/.
  const path = fileURLToPath(new URL('../assets/class_labels_indices.csv', import.meta.url));
  if (!existsSync(path)) throw new Error(`${path}: missing from the package assets`);
  return path;
}

/** An 11-character YouTube-style id, stable for a recording name. */
function ytidOf(name: string): string {
  return createHash('sha1').update(name).digest('base64url').slice(0, 11);
}

function segmentsCsv(segments: MiniSegment[]): Uint8Array {
  const labels = new Set(segments.flatMap((s) => s.mids));
  const lines = [
    '# Segments csv created by @example miniature AudioSet',
    `# num_ytids=${segments.length}, num_segs=${segments.length}, num_unique_labels=${labels.size}, ` +
      `num_positive_labels=${segments.reduce((n, s) => n + s.mids.length, 0)}`,
    '# YTID, start_seconds, end_seconds, positive_labels',
    ...segments.map((s) => `${s.ytid}, 30.000, 40.000, "${s.mids.join(',')}"`),
  ];
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

/** `trainPerGroup` and `evalPerGroup` clips per group, each from its own recording, plus one missing segment per list. */
export async function buildMiniAudioSet(
  dir: string,
  trainPerGroup = 3,
  evalPerGroup = 2,
): Promise<MiniAudioSet> {
  const available = sonicPiNames();
  const result: MiniAudioSet = {
    dir,
    trainCsv: join(dir, 'balanced_train_segments.csv'),
    evalCsv: join(dir, 'eval_segments.csv'),
    labels: join(dir, 'class_labels_indices.csv'),
    audio: join(dir, 'audio'),
    train: [],
    eval: [],
  };
  for (const folder of ['bal_train', 'eval']) await mkdir(join(dir, 'audio', folder), { recursive: true });
  for (const group of MINI_GROUPS) {
    const sources = available.filter((name) => name.startsWith(group.prefix));
    if (sources.length < trainPerGroup + evalPerGroup)
      throw new Error(`only ${sources.length} Sonic Pi recordings named ${group.prefix}*`);
    for (const [i, source] of sources.slice(0, trainPerGroup + evalPerGroup).entries()) {
      const split = i < trainPerGroup ? 'train' : 'eval';
      const ytid = ytidOf(source);
      const file = join('audio', split === 'train' ? 'bal_train' : 'eval', `Y${ytid}.wav`);
      const samples = clip(await sonicPiRecording(source, RATE), RATE * SECONDS);
      await writeFileAtomic(join(dir, file), encodeWav(samples, RATE));
      result[split].push({ ytid, mids: group.mids, file });
    }
  }
  result.train.push({ ytid: ytidOf('missing train segment'), mids: ['/m/04rlf'] });
  result.eval.push({ ytid: ytidOf('missing eval segment'), mids: ['/m/04rlf'] });
  await writeFileAtomic(result.trainCsv, segmentsCsv(result.train));
  await writeFileAtomic(result.evalCsv, segmentsCsv(result.eval));
  await copyFile(classLabelsFile(), result.labels);
  return result;
}
