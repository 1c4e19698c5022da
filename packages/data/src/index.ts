// Public API, browser-safe: strings and arrays in, no file system. Loaders that read files, the fbank
// cache and the worker-thread pipeline are in the `@cat/data/node` entry (src/node.ts).

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
export {
  type ClipFeatureOptions,
  type ClipProblem,
  clipProblem,
  finishFbank,
  naturalFbank,
  type SkipKind,
} from './clip-features.js';
export { beta, gamma, intBetween, streamSeed } from './distributions.js';
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
export { Ontology, type OntologyClass, parseOntology } from './ontology.js';
export { type PathLabelCsvOptions, parsePathLabelCsv } from './path-label-csv.js';
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
