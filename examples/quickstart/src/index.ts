export {
  buildDemoDataset,
  DEMO_CLIP_SECONDS,
  DEMO_SAMPLE_RATE,
  type DemoDataset,
  type DemoDatasetCounts,
  type DemoDatasetOptions,
} from './dataset.js';
export { INSTRUMENT_FAMILIES, type InstrumentFamily } from './soundfont-notes.js';
