import type { Command } from '../command.js';
import { benchFbankCommand } from './bench-fbank.js';
import { dataInspectCommand } from './data-inspect.js';
import { demoCommand } from './demo.js';
import { embedCommand } from './embed.js';
import { fbankCommand } from './fbank.js';
import { featuresCommand } from './features.js';
import { pretrainCommand } from './pretrain.js';

/** Every subcommand of `cat-audio`, in the order `--help` lists them. */
export const commands: Command[] = [
  demoCommand,
  fbankCommand,
  embedCommand,
  dataInspectCommand,
  featuresCommand,
  pretrainCommand,
  benchFbankCommand,
];
