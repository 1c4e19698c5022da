#!/usr/bin/env node
import { buildMiniPretrainingSet } from './mini-dataset.js';

const [dir = 'runs/audioset-mini/data'] = process.argv.slice(2);
buildMiniPretrainingSet(dir).then(
  (mini) =>
    process.stdout.write(
      `miniature AudioSet in ${dir}: ${mini.trainCsv}, ${mini.manifest} (${mini.featureDimension}-value features), ` +
        `audio below ${mini.audio}\n`,
    ),
  (error: Error) => {
    process.stderr.write(`pretrain-audioset mini: ${error.message}\n`);
    process.exit(1);
  },
);
