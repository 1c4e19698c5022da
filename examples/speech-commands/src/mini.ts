#!/usr/bin/env node
import { buildMiniSpeechCommands } from './mini-dataset.js';

const [dir = 'runs/speech-commands-mini/data'] = process.argv.slice(2);
buildMiniSpeechCommands(dir).then(
  (mini) =>
    process.stdout.write(
      `miniature Speech Commands: ${mini.words.length} classes; train ${mini.train.length}, validation ` +
        `${mini.validation.length}, test ${mini.test.length} clips in ${dir}\n`,
    ),
  (error: Error) => {
    process.stderr.write(`speech-commands mini: ${error.message}\n`);
    process.exit(1);
  },
);
