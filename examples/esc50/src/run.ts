#!/usr/bin/env node
import { consoleOutput } from './cat-audio.js';
import { runEsc50, USAGE } from './program.js';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
let finished = false;
// When the wasm backend runs out of its 4 GB heap it aborts without rejecting any promise: Node then exits with
// status 0 in the middle of the run. Say so and fail instead.
process.on('exit', (code) => {
  if (finished || code !== 0) return;
  process.stderr.write(
    'esc50: stopped before finishing (the wasm backend aborted: out of memory? try a smaller --micro-batch)\n',
  );
  process.exitCode = 1;
});
runEsc50(args, consoleOutput).then(
  () => {
    finished = true;
  },
  (error: Error) => {
    finished = true;
    process.stderr.write(`esc50: ${error.message}\n`);
    process.exit(1);
  },
);
