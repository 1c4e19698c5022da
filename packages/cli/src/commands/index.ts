import type { Command } from '../command.js';
import { benchFbankCommand } from './bench-fbank.js';
import { benchEmbedCommand, benchFinetuneCommand, benchStepCommand } from './bench-model.js';
import { dataInspectCommand } from './data-inspect.js';
import { embedCommand } from './embed.js';
import { evalCommand } from './eval.js';
import { fbankCommand } from './fbank.js';
import { featuresCommand } from './features.js';
import { finetuneCommand } from './finetune.js';
import { pretrainCommand } from './pretrain.js';
import { probeCommand } from './probe.js';
import { tagCommand } from './tag.js';

/** Every subcommand of `cat-audio`, in the order `--help` lists them. */
export const commands: Command[] = [
  fbankCommand,
  embedCommand,
  tagCommand,
  dataInspectCommand,
  featuresCommand,
  pretrainCommand,
  finetuneCommand,
  probeCommand,
  evalCommand,
  benchFbankCommand,
  benchStepCommand,
  benchFinetuneCommand,
  benchEmbedCommand,
];
