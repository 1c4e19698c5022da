#!/usr/bin/env node
import { buildMiniEsc50 } from './mini-dataset.js';

const [dir = 'runs/esc50-mini/data', perFold = '2'] = process.argv.slice(2);
buildMiniEsc50(dir, Number(perFold)).then(
  (mini) =>
    process.stdout.write(`miniature ESC-50: ${mini.clips} clips, ${mini.classes.length} classes in ${dir}\n`),
  (error: Error) => {
    process.stderr.write(`esc50 mini: ${error.message}\n`);
    process.exit(1);
  },
);
