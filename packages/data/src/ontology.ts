import { DataFormatError } from './errors.js';
import { LabelSet } from './labels.js';

/** One AudioSet ontology class as stored in `ontology.json`. */
export interface OntologyClass {
  id: string;
  name: string;
  description: string;
  citationUri: string;
  positiveExamples: string[];
  childIds: string[];
  /** `abstract`: a grouping class never used as a label; `blacklist`: judged too ambiguous or noisy. */
  restrictions: string[];
}

/**
 * The AudioSet ontology: a directed acyclic graph (a class may have several parents), looked up by MID or
 * by display name. Order of `classes` is the file's order, which is also the order of the 527-class list.
 */
export class Ontology {
  readonly classes: readonly OntologyClass[];
  private readonly byId = new Map<string, OntologyClass>();
  private readonly byName = new Map<string, OntologyClass>();
  private readonly parentIds = new Map<string, string[]>();

  constructor(classes: readonly OntologyClass[], file = 'ontology.json') {
    this.classes = classes;
    for (const entry of classes) {
      if (this.byId.has(entry.id)) throw new DataFormatError(file, `duplicate class id ${entry.id}`);
      this.byId.set(entry.id, entry);
      if (!this.byName.has(entry.name)) this.byName.set(entry.name, entry);
      this.parentIds.set(entry.id, []);
    }
    for (const entry of classes) {
      for (const child of entry.childIds) {
        const parents = this.parentIds.get(child);
        if (parents === undefined) {
          throw new DataFormatError(file, `class ${entry.id} lists unknown child ${child}`);
        }
        parents.push(entry.id);
      }
    }
  }

  get(id: string): OntologyClass | undefined {
    return this.byId.get(id);
  }

  /** Lookup by exact display name (e.g. "Dog"). */
  getByName(name: string): OntologyClass | undefined {
    return this.byName.get(name);
  }

  /** Classes that are nobody's child. */
  roots(): OntologyClass[] {
    return this.classes.filter((entry) => this.parentIds.get(entry.id)!.length === 0);
  }

  parents(id: string): OntologyClass[] {
    this.require(id);
    return this.parentIds.get(id)!.map((parent) => this.byId.get(parent)!);
  }

  children(id: string): OntologyClass[] {
    return this.require(id).childIds.map((child) => this.byId.get(child)!);
  }

  /** All classes above `id`, each once, nearest first (breadth-first). */
  ancestors(id: string): OntologyClass[] {
    return this.walk(id, (current) => this.parentIds.get(current)!);
  }

  /** All classes below `id`, each once, nearest first (breadth-first). */
  descendants(id: string): OntologyClass[] {
    return this.walk(id, (current) => this.byId.get(current)!.childIds);
  }

  isAbstract(id: string): boolean {
    return this.require(id).restrictions.includes('abstract');
  }

  isBlacklisted(id: string): boolean {
    return this.require(id).restrictions.includes('blacklist');
  }

  /**
   * A label list of the given MIDs in ontology order, names from the ontology. AudioSet's 527-class list is
   * exactly the ontology classes that occur in its segment CSVs (abstract/blacklist do not define it: 12 of
   * the 527 are blacklisted and 28 unrestricted classes are absent).
   */
  labelSet(ids: Iterable<string>): LabelSet {
    const wanted = new Set(ids);
    for (const id of wanted) this.require(id);
    const chosen = this.classes.filter((entry) => wanted.has(entry.id));
    return new LabelSet(
      chosen.map((entry) => entry.id),
      chosen.map((entry) => entry.name),
    );
  }

  private require(id: string): OntologyClass {
    const entry = this.byId.get(id);
    if (entry === undefined) throw new Error(`unknown ontology class ${id}`);
    return entry;
  }

  private walk(id: string, next: (id: string) => readonly string[]): OntologyClass[] {
    this.require(id);
    const seen = new Set<string>([id]);
    const found: OntologyClass[] = [];
    let frontier = [id];
    while (frontier.length > 0) {
      const following: string[] = [];
      for (const current of frontier) {
        for (const neighbour of next(current)) {
          if (seen.has(neighbour)) continue;
          seen.add(neighbour);
          found.push(this.byId.get(neighbour)!);
          following.push(neighbour);
        }
      }
      frontier = following;
    }
    return found;
  }
}

/** Parses AudioSet's `ontology.json` (a JSON array of classes with snake_case fields). */
export function parseOntology(text: string, file = 'ontology.json'): Ontology {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DataFormatError(file, `not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new DataFormatError(file, 'expected a non-empty array');
  const classes = raw.map((item: any, index): OntologyClass => {
    if (typeof item?.id !== 'string' || typeof item.name !== 'string' || !Array.isArray(item.child_ids)) {
      throw new DataFormatError(file, `item ${index + 1} lacks id, name or child_ids`);
    }
    return {
      id: item.id,
      name: item.name,
      description: item.description ?? '',
      citationUri: item.citation_uri ?? '',
      positiveExamples: item.positive_examples ?? [],
      childIds: item.child_ids,
      restrictions: item.restrictions ?? [],
    };
  });
  return new Ontology(classes, file);
}
