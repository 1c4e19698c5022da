#!/usr/bin/env node
import { buildMiniAudioSet } from '@example/recipe-kit';

const [dir = 'runs/audioset-mini/data'] = process.argv.slice(2);
buildMiniAudioSet(dir).then(
  (mini) =>
    process.stdout.write(
      `miniature AudioSet in ${dir}: ${mini.trainCsv} (${mini.train.length} segments), ` +
        `${mini.evalCsv} (${mini.eval.length} segments), audio below ${mini.audio}\n`,
    ),
  (error: Error) => {
    process.stderr.write(`finetune-as20k mini: ${error.message}\n`);
    process.exit(1);
  },
);
