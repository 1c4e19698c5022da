#!/usr/bin/env node
import { main } from './main.js';

let settled = false;
// The wasm backend aborts on running out of its 4 GB heap without settling the command's promise: the event loop
// then empties and Node would exit with status 0 in the middle of the work. Any exit before the command has
// finished is a failure.
process.on('exit', (code) => {
  if (settled || code !== 0) return;
  process.stderr.write(
    'cat-audio: stopped before finishing (the wasm backend aborted: out of memory? try fewer clips per pass ' +
      'or a shorter --target-length)\n',
  );
  process.exitCode = 1;
});

main(process.argv.slice(2)).then(
  (status) => {
    settled = true;
    process.exitCode = status;
  },
  (error: unknown) => {
    settled = true;
    process.stderr.write(`cat-audio: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
