// An ESM consumer of the installed @cat/data: one epoch of fbank batches decoded in a worker thread, whose
// script the loader finds next to its own module in the installed dist.
// Usage: node data.mjs CLIP_FOLDER FRAMES OUT.json
import { renameSync, writeFileSync } from 'node:fs';
import { FbankLoader, loadAnyDataset } from '@cat/data/node';

const [folder, frames, out] = process.argv.slice(2);
const { kind, dataset } = await loadAnyDataset(folder);
const log = [];
const loader = new FbankLoader(dataset, {
  batchSize: 2,
  targetLength: Number(frames),
  workers: 1,
  minSamples: 0, // the FLAC clip is 0.25 s, below the default minimum
  seed: 3,
  log: (line) => log.push(line),
});
const batches = [];
for await (const batch of loader.epoch()) batches.push({ ids: batch.ids, inputs: Array.from(batch.inputs) });
await loader.close();
writeFileSync(`${out}.tmp`, JSON.stringify({ kind, log, batches }));
renameSync(`${out}.tmp`, out);
