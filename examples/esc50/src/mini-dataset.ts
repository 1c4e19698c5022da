/**
 * A miniature ESC-50 in the real layout (`audio/{fold}-{source}-{take}-{target}.wav`, 5 s, 44.1 kHz mono, and
 * `meta/esc50.csv`), from real recordings available offline: Sonic Pi's CC0 samples, five kinds of percussion
 * as five classes. For tests and for trying the program without the dataset; it says nothing about ESC-50
 * accuracy.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWav } from '@cat/frontend';
import { writeFileAtomic } from '@cat/frontend/node';
import { clip, sonicPiNames, sonicPiRecording } from '@example/recipe-kit';

/** Class (ESC-50 `category`) → the Sonic Pi file-name prefix of its recordings. */
export const MINI_CLASSES: readonly [string, string][] = [
  ['kick_drum', 'bd_'],
  ['hi_hat', 'hat_'],
  ['tabla', 'tabla_'],
  ['electronic', 'elec_'],
  ['drum', 'drum_'],
];
const RATE = 44_100;
const SECONDS = 5;

export interface MiniEsc50 {
  dir: string;
  clips: number;
  classes: string[];
  /** Every row of esc50.csv, in file order. */
  rows: { filename: string; fold: number; target: number; category: string; source: string }[];
}

/** Writes `clipsPerFold` clips of every class into each of the five folds, each from a different recording. */
export async function buildMiniEsc50(dir: string, clipsPerFold = 2): Promise<MiniEsc50> {
  const available = sonicPiNames();
  const rows: MiniEsc50['rows'] = [];
  await mkdir(join(dir, 'audio'), { recursive: true });
  await mkdir(join(dir, 'meta'), { recursive: true });
  for (const [target, [category, prefix]] of MINI_CLASSES.entries()) {
    const sources = available.filter((name) => name.startsWith(prefix));
    if (sources.length < 5 * clipsPerFold) {
      throw new Error(
        `only ${sources.length} Sonic Pi recordings named ${prefix}*, ${5 * clipsPerFold} needed`,
      );
    }
    for (let i = 0; i < 5 * clipsPerFold; i++) {
      const fold = 1 + (i % 5);
      // ESC-50 names a clip by fold, freesound source id, take and target.
      const filename = `${fold}-${100_000 + 100 * target + i}-A-${target}.wav`;
      const samples = clip(await sonicPiRecording(sources[i], RATE), RATE * SECONDS);
      await writeFileAtomic(join(dir, 'audio', filename), encodeWav(samples, RATE));
      rows.push({ filename, fold, target, category, source: sources[i] });
    }
  }
  const csv = [
    'filename,fold,target,category,esc10,src_file,take',
    ...rows.map(
      (r) => `${r.filename},${r.fold},${r.target},${r.category},False,${r.filename.split('-')[1]},A`,
    ),
  ];
  await writeFileAtomic(join(dir, 'meta', 'esc50.csv'), new TextEncoder().encode(`${csv.join('\n')}\n`));
  return { dir, clips: rows.length, classes: MINI_CLASSES.map(([c]) => c), rows };
}
