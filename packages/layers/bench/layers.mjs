// `pnpm bench` for @cat/layers (after `npx tsup`): the matmul ceiling, then encoder inference on 10 s clips
// (1024 frames) for the tiny, small and base presets, each in its own process (a fresh wasm heap).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const runs = [
  ['matmul.mjs', '1'],
  ['encoder.mjs', 'cat-tiny', '8', '1024'],
  ['encoder.mjs', 'cat-small', '4', '1024'],
  ['encoder.mjs', 'cat-base', '2', '1024'],
];
for (const [script, ...args] of runs) {
  console.log(`\n$ node bench/${script} ${args.join(' ')}`);
  const { status } = spawnSync(process.execPath, [here(script), ...args], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
