// The CommonJS twin of data.mjs: same arguments, same output, through `require`.
const { renameSync, writeFileSync } = require('node:fs');
const { FbankLoader, loadAnyDataset } = require('@cat/data/node');

async function main() {
  const [folder, frames, out] = process.argv.slice(2);
  const { kind, dataset } = await loadAnyDataset(folder);
  const log = [];
  const loader = new FbankLoader(dataset, {
    batchSize: 2,
    targetLength: Number(frames),
    workers: 1,
    minSamples: 0,
    seed: 3,
    log: (line) => log.push(line),
  });
  const batches = [];
  for await (const batch of loader.epoch())
    batches.push({ ids: batch.ids, inputs: Array.from(batch.inputs) });
  await loader.close();
  writeFileSync(`${out}.tmp`, JSON.stringify({ kind, log, batches }));
  renameSync(`${out}.tmp`, out);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
