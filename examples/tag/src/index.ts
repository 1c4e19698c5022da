export {
  type AudioSetTables,
  assetPath,
  CLASS_LIST_FILE,
  formatOntologyPath,
  GUITAR_CLIP,
  loadAudioSet,
  ONTOLOGY_FILE,
  ontologyPath,
  withAncestors,
} from './audioset.js';
export {
  ABSENT_LOGIT,
  fitProbeHead,
  type ProbeHead,
  type ProbeHeadOptions,
  writeClassifier,
  writeUntrainedCheckpoint,
} from './checkpoint.js';
export { buildNoteManifests, FAMILY_CLASSES, familyLabels, type NoteManifests, relabel } from './notes.js';
export {
  parseTagOutput,
  runTag,
  type TaggedClass,
  type TaggedFile,
  type TagOptions,
  tagArguments,
  withOntology,
} from './tag.js';
