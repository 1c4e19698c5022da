// Public API. Only the node-* modules touch the file system (node:fs); every other module is pure
// (strings and arrays in) and runs in browsers too.

export {
  type AudioSetFile,
  type AudioSetFileIndex,
  type AudioSetFileName,
  audioExtensions,
  findSegmentFile,
  indexAudioSetFiles,
  matchSegmentsToFiles,
  parseAudioSetFileName,
  type SegmentMatch,
  timeStampMatches,
} from './audioset-files.js';
export { type ClassFolderOptions, classFolderDataset, classFolderLabels } from './class-folders.js';
export { addNoiseAndRoll, randomCrop, roll, rollWithRandomGain } from './clip-augment.js';
export { type EpochOrder, EpochSampler, type SamplerCursor, shuffledOrder } from './epoch-sampler.js';
export { DataFormatError } from './errors.js';
export { type Esc50Row, esc50Folds, parseEsc50Meta } from './esc50.js';
export {
  type FairseqSources,
  fairseqDataset,
  type LblLine,
  parseLbl,
  parseTsvManifest,
  type TsvManifest,
} from './fairseq-manifest.js';
export { parseAstDatafile, parseFeatureManifest } from './json-manifest.js';
export { formatLabelDescriptors, LabelSet, labelSetOf, parseLabelList } from './labels.js';
export { applyMixup, type MixupOptions, mixupBatch, mixupLambda } from './mixup.js';
export { listFiles, readTextFile, writeFileAtomic } from './node-files.js';
export {
  indexAudioSetDirectory,
  loadAstDatafile,
  loadClassFolders,
  loadEsc50,
  loadFairseqManifest,
  loadFeatureManifest,
  loadLabelList,
  loadOntology,
  loadPathLabelCsv,
  loadSegmentsCsv,
  loadSpeechCommands,
  readWeightsFile,
  writeWeightsFile,
} from './node-loaders.js';
export { Ontology, type OntologyClass, parseOntology } from './ontology.js';
export { type PathLabelCsvOptions, parsePathLabelCsv } from './path-label-csv.js';
export { Random } from './random.js';
export {
  parseSegmentsCsv,
  type Segment,
  type SegmentHeader,
  type SegmentList,
  segmentsToDataset,
} from './segments.js';
export { maskSpan, type SpecAugmentOptions, specAugment } from './spec-augment.js';
export {
  backgroundNoiseFolder,
  type SpeechCommandsInput,
  type SpeechCommandsSplits,
  speechCommandsSplits,
} from './speech-commands.js';
export { dropShortClips, minSampleSize, shard } from './subsets.js';
export { batchTargets, multiHot, singleLabel, smoothedOneHot } from './targets.js';
export type { ClipEntry, Dataset, Problem } from './types.js';
export {
  audiosetSampleWeights,
  formatWeightsCsv,
  parseWeightsCsv,
  weightedOrder,
  weightedSampleWithoutReplacement,
} from './weighted-sampling.js';
