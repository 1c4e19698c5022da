// Builds the quickstart dataset (after `pnpm build`) and reports how long it took:
//   node scripts/build-dataset.mjs [dir] [seed]
import { buildDemoDataset } from '../dist/index.js';

const dir = process.argv[2] ?? 'data/quickstart';
const seed = Number(process.argv[3] ?? 0);
const started = performance.now();
const dataset = await buildDemoDataset({ dir, seed, log: (line) => console.log(line) });
console.log(
  `${dataset.written} files written, ${((performance.now() - started) / 1000).toFixed(1)} s in all`,
);
