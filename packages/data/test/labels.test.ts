import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../src/errors.js';
import { formatLabelDescriptors, LabelSet, parseLabelList } from '../src/labels.js';
import { loadLabelList, loadOntology } from '../src/node-loaders.js';
import { parseOntology } from '../src/ontology.js';
import { parseSegmentsCsv } from '../src/segments.js';
import { fixturePath, readFixture } from './fixtures.js';

describe('label lists', () => {
  it('reads the 527 AudioSet classes from class_labels_indices.csv (header, quoted names with commas)', async () => {
    const labels = await loadLabelList(fixturePath('audioset/class_labels_indices.csv'));
    expect(labels.size).toBe(527);
    expect(labels.keys[0]).toBe('/m/09x0r');
    expect(labels.names[1]).toBe('Male speech, man speaking');
    expect(labels.names[526]).toBe('Field recording');
  });

  it('reads the same 527 classes from the AS-20K label_descriptors.csv (no header)', async () => {
    const descriptors = parseLabelList(await readFixture('audioset/as20k/label_descriptors.csv'));
    const classes = parseLabelList(await readFixture('audioset/class_labels_indices.csv'));
    expect(descriptors.size).toBe(527);
    expect(descriptors.keys).toEqual(classes.keys);
    expect(descriptors.names).toEqual(classes.names);
  });

  it('reads ESC-50 (index keys) and Speech Commands (word keys, unquoted) descriptors', async () => {
    const esc = parseLabelList(await readFixture('esc50-fold1/label_descriptors.csv'));
    expect(esc.size).toBe(50);
    expect([esc.keys[2], esc.names[2], esc.names[49]]).toEqual(['2', 'pig', 'hand_saw']);
    const spc = parseLabelList(await readFixture('speechcommands-v2/label_descriptors.csv'));
    expect(spc.size).toBe(35);
    expect([spc.keys[0], spc.names[1], spc.keys[34]]).toEqual(['house', 'wow', 'zero']);
  });

  it('resolves MIDs, display names and class indices', async () => {
    const labels = parseLabelList(await readFixture('audioset/class_labels_indices.csv'));
    expect(labels.resolve('/m/05zppz')).toBe(1);
    expect(labels.resolve('Male speech, man speaking')).toBe(1);
    expect(labels.resolve('526')).toBe(526);
    expect(labels.resolve('527')).toBeUndefined();
    expect(labels.resolve('/m/nope')).toBeUndefined();
  });

  it('round-trips through formatLabelDescriptors', async () => {
    const text = await readFixture('audioset/as20k/label_descriptors.csv');
    expect(formatLabelDescriptors(parseLabelList(text))).toBe(text);
  });

  it('rejects a label list that is wrong as a whole, naming the file', () => {
    expect(() => parseLabelList('', 'empty.csv')).toThrow(/empty\.csv: no labels/);
    expect(() => parseLabelList('0,a,A\n2,b,B\n', 'gap.csv')).toThrow(DataFormatError);
    expect(() => parseLabelList('0,a,A\n2,b,B\n', 'gap.csv')).toThrow(
      /gap\.csv: line 2: index 2 out of order/,
    );
    expect(() => new LabelSet(['a', 'a'])).toThrow(/duplicate key "a"/);
  });
});

describe('AudioSet ontology', () => {
  it('holds 632 classes with their restrictions', async () => {
    const ontology = await loadOntology(fixturePath('audioset/ontology.json.gz'));
    expect(ontology.classes.length).toBe(632);
    expect(ontology.classes.filter((c) => ontology.isAbstract(c.id)).length).toBe(23);
    expect(ontology.classes.filter((c) => ontology.isBlacklisted(c.id)).length).toBe(67);
    expect(ontology.isAbstract('/m/0dgw9r')).toBe(true); // Human sounds
    expect(ontology.isBlacklisted('/m/07hvw1')).toBe(true); // Field recording
    expect(ontology.isAbstract('/m/09x0r')).toBe(false);
    expect(ontology.roots().map((c) => c.name)).toEqual([
      'Human sounds',
      'Animal',
      'Music',
      'Natural sounds',
      'Sounds of things',
      'Source-ambiguous sounds',
      'Channel, environment and background',
    ]);
  });

  it('walks the hierarchy: parents, children, ancestors, descendants', async () => {
    const ontology = parseOntology(await readFixture('audioset/ontology.json.gz'));
    const dog = ontology.getByName('Dog')!;
    expect(dog.id).toBe('/m/0bt9lr');
    expect(ontology.parents(dog.id).map((c) => c.name)).toEqual(['Domestic animals, pets']);
    expect(ontology.ancestors(dog.id).map((c) => c.name)).toEqual(['Domestic animals, pets', 'Animal']);
    expect(ontology.children(dog.id).map((c) => c.name)).toEqual([
      'Bark',
      'Yip',
      'Howl',
      'Bow-wow',
      'Growling',
      'Whimper (dog)',
      'Bay',
    ]);
    const animal = ontology.getByName('Animal')!;
    const below = ontology.descendants(animal.id);
    expect(below.length).toBe(72);
    expect(below.length).toBe(new Set(below.map((c) => c.id)).size);
    expect(below.some((c) => c.id === dog.id)).toBe(true);
    for (const c of below) expect(ontology.ancestors(c.id).map((a) => a.id)).toContain(animal.id);
    // A class with several parents: every parent lists it as a child.
    const choir = ontology.getByName('Choir')!;
    expect(ontology.parents(choir.id).map((c) => c.name)).toEqual(['Singing', 'Musical instrument']);
    expect(ontology.classes.filter((c) => ontology.parents(c.id).length > 1).length).toBe(38);
    expect(() => ontology.parents('/m/unknown')).toThrow(/unknown ontology class/);
  });

  it('gives the 527-class list as the ontology classes used by the segment CSVs, in class_labels_indices order', async () => {
    const ontology = parseOntology(await readFixture('audioset/ontology.json.gz'));
    const used = new Set<string>();
    for (const name of ['audioset/balanced_train_segments.csv.gz', 'audioset/eval_segments.csv.gz']) {
      for (const segment of parseSegmentsCsv(await readFixture(name)).segments) {
        for (const label of segment.labels) used.add(label);
      }
    }
    const derived = ontology.labelSet(used);
    const official = parseLabelList(await readFixture('audioset/class_labels_indices.csv'));
    expect(derived.size).toBe(527);
    expect(derived.keys).toEqual(official.keys);
    expect(derived.names).toEqual(official.names);
    // Restrictions alone do not define it: 543 classes are unrestricted.
    expect(ontology.classes.filter((c) => c.restrictions.length === 0).length).toBe(543);
  });

  it('rejects a malformed ontology, naming the file', () => {
    expect(() => parseOntology('{', 'o.json')).toThrow(/o\.json: not JSON/);
    expect(() => parseOntology('[{"id":"/m/a","name":"A","child_ids":["/m/b"]}]', 'o.json')).toThrow(
      /o\.json: class \/m\/a lists unknown child \/m\/b/,
    );
  });
});
