// `pnpm bench` for the models: the workloads through `cat-audio bench embed|step|finetune`, each in a
// fresh process (its own wasm heap), then one table. Usage: node bench/models.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const quick = process.argv.includes('--quick');
const runs = [
  ['bench', 'embed', '--model', 'cat-tiny', '--batch', '8', '--target-length', '1024'],
  ['bench', 'embed', '--model', 'cat-small', '--batch', '4', '--target-length', '1024'],
  ['bench', 'embed', '--model', 'cat-base', '--batch', '2', '--target-length', '1024'],
  ['bench', 'step', '--model', 'cat-tiny', '--batch', '8', '--target-length', '128', '--replicas', '1'],
  ['bench', 'step', '--model', 'cat-tiny', '--batch', '8', '--target-length', '128', '--replicas', '2'],
  [
    'bench',
    'step',
    '--model',
    'cat-tiny',
    '--batch',
    '2',
    '--target-length',
    '1024',
    '--replicas',
    '2',
    '--accumulate',
    '2',
  ],
  ['bench', 'step', '--model', 'cat-small', '--batch', '2', '--target-length', '1024', '--replicas', '2'],
  ['bench', 'finetune', '--model', 'cat-tiny', '--batch', '2', '--target-length', '1024'],
];
const rows = [];
for (const args of quick ? runs.slice(0, 1).concat(runs.slice(3, 5)) : runs) {
  const line = `cat-audio ${args.join(' ')} --backend wasm --reps 2`;
  process.stderr.write(`${line}\n`);
  let output;
  try {
    output = execFileSync(process.execPath, [bin, ...args, '--backend', 'wasm', '--reps', '2'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  } catch (error) {
    rows.push({ line, failed: String(error.message).split('\n')[0] });
    continue;
  }
  process.stderr.write(output);
  const value = (label) => output.match(new RegExp(`${label}: ([0-9.]+)`))?.[1];
  rows.push({
    line,
    clips: value('clips/s'),
    gflops: value('GFLOP/s'),
    ceiling: value('matmul ceiling \\(1024\\^3\\)'),
    rss: output.match(/RSS (\d+ MB)/)?.[1],
  });
}
console.log(`\n${cpus()[0]?.model ?? 'CPU'}, ${availableParallelism()} cores, Node ${process.version}\n`);
console.log('| command | clips/s | model GFLOP/s | matmul ceiling (1 core) | RSS |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) {
  if (r.failed) console.log(`| \`${r.line}\` | failed: ${r.failed} | | | |`);
  else console.log(`| \`${r.line}\` | ${r.clips} | ${r.gflops} | ${r.ceiling} | ${r.rss} |`);
}
