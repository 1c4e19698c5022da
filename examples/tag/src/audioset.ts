/**
 * AudioSet's class list and ontology as this example uses them: the 527-class list fixes the head's order, the
 * ontology gives every class its place in the hierarchy ("Music › Musical instrument › … › Guitar") and the
 * ancestors that AudioSet's own labels carry along with a class.
 */
import { fileURLToPath } from 'node:url';
import type { LabelSet, Ontology } from '@cat/data';
import { loadLabelList, loadOntology } from '@cat/data/node';

/** A file in this package's `assets/` folder (resolves from `src/` and from the bundled `dist/`). */
export function assetPath(name: string): string {
  return fileURLToPath(new URL(`../assets/${name}`, import.meta.url));
}

/** AudioSet's 527 classes, `index,mid,display_name` (the reference's `inference/labels.csv` order). */
export const CLASS_LIST_FILE = 'class_labels_indices.csv';
/** AudioSet's ontology (632 classes and their hierarchy), gzipped; `@cat/data` reads `.gz` directly. */
export const ONTOLOGY_FILE = 'ontology.json.gz';
/** A short real recording (Sonic Pi guitar harmonics, CC0, 16 kHz mono, 3.5 s). */
export const GUITAR_CLIP = 'guit_harmonics_16k.wav';

export interface AudioSetTables {
  labels: LabelSet;
  ontology: Ontology;
}

/** Loads the bundled class list and ontology (or others given by path). */
export async function loadAudioSet(
  files: { labels?: string; ontology?: string } = {},
): Promise<AudioSetTables> {
  const [labels, ontology] = await Promise.all([
    loadLabelList(files.labels ?? assetPath(CLASS_LIST_FILE)),
    loadOntology(files.ontology ?? assetPath(ONTOLOGY_FILE)),
  ]);
  return { labels, ontology };
}

/**
 * The chain of display names from a root of the ontology down to `id`. The ontology is a graph in which a class can
 * have several parents (e.g. "Bell" sits under "Musical instrument" and under "Sounds of things"); the chain
 * follows the first parent the ontology file lists, and `otherParents` counts the ones it leaves out.
 */
export function ontologyPath(ontology: Ontology, id: string): { names: string[]; otherParents: number } {
  const names = [ontology.get(id)?.name ?? id];
  let otherParents = 0;
  const seen = new Set([id]);
  let current = id;
  for (;;) {
    const parents = ontology.parents(current);
    if (parents.length === 0 || seen.has(parents[0].id)) break;
    otherParents += parents.length - 1;
    current = parents[0].id;
    seen.add(current);
    names.unshift(parents[0].name);
  }
  return { names, otherParents };
}

/** `ontologyPath` as one line: `Music › Musical instrument › Plucked string instrument › Guitar`. */
export function formatOntologyPath(ontology: Ontology, id: string): string {
  const { names, otherParents } = ontologyPath(ontology, id);
  const more = otherParents > 0 ? ` (+${otherParents} other parent${otherParents > 1 ? 's' : ''})` : '';
  return names.join(' › ') + more;
}

/**
 * A class and every ancestor that is itself one of the 527 classes, in class-list order: what an AudioSet
 * annotation of that class implies ("Guitar" → Music, Musical instrument, Plucked string instrument, Guitar).
 */
export function withAncestors(tables: AudioSetTables, id: string): string[] {
  const { labels, ontology } = tables;
  if (labels.resolve(id) === undefined)
    throw new Error(`${id} is not one of the ${labels.size} AudioSet classes`);
  const ids = [id, ...ontology.ancestors(id).map((entry) => entry.id)].filter(
    (candidate) => labels.resolve(candidate) !== undefined,
  );
  return ids.sort((a, b) => labels.resolve(a)! - labels.resolve(b)!);
}
