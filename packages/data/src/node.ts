// `@cat/data/node`: everything that touches the file system or threads. The main entry stays browser-safe.

export { type DatasetKind, type LoadedDataset, loadAnyDataset } from './any-dataset.js';
export { type ClipResult, processClip, type ReadableClip, readClip } from './clip-source.js';
export { FbankCache, type FileStamp } from './fbank-cache.js';
export {
  type FbankBatch,
  FbankLoader,
  type FbankLoaderOptions,
  type LoaderReport,
  type SkippedClip,
} from './fbank-loader.js';
export { type ClipCheck, type DatasetInspection, inspectDataset } from './inspect.js';
export { listFiles, readTextFile } from './node-files.js';
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
