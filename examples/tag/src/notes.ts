/**
 * Training data for the demonstration model: the quickstart's rendered SoundFont notes (real sampled instruments,
 * see @example/quickstart), relabelled from GM instrument families to AudioSet classes with their ontology
 * ancestors, so that the fine-tuned head speaks AudioSet's 527-class vocabulary.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@cat/frontend/node';
import { buildDemoDataset } from '@example/quickstart';
import { type AudioSetTables, withAncestors } from './audioset.js';

/**
 * The AudioSet class closest to each GM family of the quickstart. Approximate where GM groups unlike instruments:
 * GM's "organ" family includes accordions and harmonicas, "strings" a harp and timpani, "ensemble" choirs and an
 * orchestra hit, "pipe" recorders, pan flutes and ocarinas.
 */
export const FAMILY_CLASSES: Readonly<Record<string, string>> = {
  piano: '/m/05r5c', // Piano
  chromatic_percussion: '/m/0j45pbj', // Mallet percussion
  organ: '/m/013y1f', // Organ
  guitar: '/m/0342h', // Guitar
  bass: '/m/018vs', // Bass guitar
  strings: '/m/0l14_3', // Bowed string instrument
  ensemble: '/m/02qmj0d', // String section
  brass: '/m/01kcd', // Brass instrument
  reed: '/m/085jw', // Wind instrument, woodwind instrument
  pipe: '/m/0l14j_', // Flute
};

/** The AudioSet labels of a note of a GM family: its class and that class's ancestors among the 527. */
export function familyLabels(tables: AudioSetTables, family: string): string[] {
  const id = FAMILY_CLASSES[family];
  if (id === undefined) throw new Error(`no AudioSet class for the instrument family '${family}'`);
  return withAncestors(tables, id);
}

/** Rewrites a quickstart `path,family` CSV as `path,mid;mid;…` (the `;`-separated form `@cat/data` reads). */
export function relabel(tables: AudioSetTables, csv: string, file: string): string {
  const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines[0] !== 'path,label')
    throw new Error(`${file}: expected the header 'path,label', got '${lines[0]}'`);
  const rows = lines.slice(1).map((line, index) => {
    const comma = line.lastIndexOf(',');
    if (comma <= 0) throw new Error(`${file}: line ${index + 2}: expected path,label, got '${line}'`);
    return `${line.slice(0, comma)},${familyLabels(tables, line.slice(comma + 1)).join(';')}`;
  });
  return `path,label\n${rows.join('\n')}\n`;
}

export interface NoteManifests {
  /** `path,labels` CSVs with AudioSet MIDs (paths relative to the CSVs' folder). */
  train: string;
  test: string;
  clips: { train: number; test: number };
}

/**
 * Renders the quickstart's notes into `dir` (reused when already there) and writes `train-audioset.csv` and
 * `test-audioset.csv` beside them. The test notes are played by GM programs that share no recording with training.
 */
export async function buildNoteManifests(
  tables: AudioSetTables,
  options: { dir: string; trainPerClass: number; testPerClass: number; log?: (line: string) => void },
): Promise<NoteManifests> {
  const dataset = await buildDemoDataset({
    dir: options.dir,
    seed: 0,
    trainPerClass: options.trainPerClass,
    testPerClass: options.testPerClass,
    sonicPiRecordings: 0,
    log: options.log,
  });
  const written: Record<'train' | 'test', string> = { train: '', test: '' };
  for (const split of ['train', 'test'] as const) {
    const source = dataset[split];
    const target = join(options.dir, `${split}-audioset.csv`);
    const text = relabel(tables, await readFile(source, 'utf8'), source);
    await writeFileAtomic(target, text);
    written[split] = target;
  }
  const count = (split: 'train' | 'test') =>
    Object.values(dataset.counts[split]).reduce((sum, value) => sum + value, 0);
  return { ...written, clips: { train: count('train'), test: count('test') } };
}
