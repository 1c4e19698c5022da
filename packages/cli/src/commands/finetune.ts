import { finetune, loadRecipe } from '@cat/train/node';
import { BACKENDS, type Command, choiceOption, integerOption, UsageError } from '../command.js';

/** The recipe the common case without --config starts from. */
const BASE_RECIPE = 'tiny-finetune';

export const finetuneCommand: Command = {
  path: ['finetune'],
  summary: 'fine-tune an encoder with a classification head (AS-20K / AS-2M / ESC-50 / SPC-2 recipes)',
  positionals: { names: '', min: 0, max: 0 },
  options: {
    config: {
      type: 'string',
      valueName: 'FILE|NAME',
      description: `a recipe JSON file or a bundled recipe (as20k-finetune, as2m-finetune, esc50-finetune, spc2-finetune, tiny-finetune); default: ${BASE_RECIPE}`,
    },
    set: {
      type: 'string',
      valueName: 'KEY=VALUE',
      multiple: true,
      description: 'override a recipe key, e.g. optim.lr=1e-4 (repeatable)',
    },
    data: {
      type: 'string',
      valueName: 'PATH',
      description: 'training data: manifest (.tsv/.json/.csv) or folder',
    },
    eval: { type: 'string', valueName: 'PATH', description: 'evaluation data, same forms' },
    labels: {
      type: 'string',
      valueName: 'FILE',
      description: 'label list (label_descriptors.csv / class_labels_indices.csv) fixing the class order',
    },
    model: {
      type: 'string',
      valueName: 'NAME|FILE',
      description: 'cat-tiny, cat-small, cat-base, eat-base, ... or an encoder-config JSON file',
    },
    init: {
      type: 'string',
      valueName: 'W.safetensors',
      description: 'initial weights: pre-training checkpoint (student) or fine-tuned model; default: random',
    },
    steps: { type: 'string', valueName: 'N', description: 'optimizer steps' },
    out: {
      type: 'string',
      valueName: 'DIR',
      description: 'run folder: config.json, metrics.jsonl, plot.svg, checkpoints/, last.safetensors',
    },
    minutes: {
      type: 'string',
      valueName: 'M',
      description: 'stop after M minutes of wall time (checkpointing first); run again to continue',
    },
    fresh: {
      type: 'boolean',
      description: 'start over: delete the checkpoints and metrics in DIR instead of resuming',
    },
    backend: { type: 'string', valueName: 'NAME', description: `tfjs backend: ${BACKENDS.join(', ')}` },
  },
  details: [
    `Without --config the ${BASE_RECIPE} recipe is the base (single-label, cross-entropy, accuracy); with --steps and no`,
    'config the warm-up is 10% of the steps. The resolved recipe is saved as DIR/config.json. A killed run resumes',
    'exactly from its newest checkpoint when run again with the same DIR; use a new DIR to start over.',
    'Examples:',
    '  cat-audio finetune --data train.csv --eval test.csv --model cat-tiny --init runs/tiny/last.safetensors --steps 300 --out runs/ft',
    '  cat-audio finetune --config as20k-finetune --init cat-base.safetensors --set data.train=/as/train.tsv --set data.eval=/as/eval.tsv',
  ].join('\n'),
  async run({ values, stdout, stderr }) {
    const overrides = [...((values.set as string[] | undefined) ?? [])];
    const add = (key: string, value: unknown) => overrides.push(`${key}=${JSON.stringify(value)}`);
    if (values.data !== undefined) add('data.train', values.data);
    if (values.eval !== undefined) add('data.eval', values.eval);
    if (values.labels !== undefined) add('data.labels', values.labels);
    if (values.model !== undefined) add('model', values.model);
    if (values.init !== undefined) add('finetune.init', values.init);
    if (values.out !== undefined) add('checkpoint.out', values.out);
    if (values.backend !== undefined) add('backend', choiceOption(values, 'backend', BACKENDS));
    const steps = integerOption(values, 'steps');
    if (steps !== undefined) {
      add('optim.steps', steps);
      if (values.config === undefined) add('optim.warmupSteps', Math.floor(steps / 10));
    }
    const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
    if (minutes !== undefined && !(minutes > 0))
      throw new UsageError(`--minutes must be > 0, got '${values.minutes}'`);
    const recipe = await loadRecipe((values.config as string | undefined) ?? BASE_RECIPE, overrides);
    const result = await finetune({ recipe, log: stderr, minutes, resume: !values.fresh });
    stdout(`steps: ${result.step}${result.stoppedBy === 'time' ? ' (stopped by --minutes)' : ''}`);
    if (result.metrics) {
      stdout(`mAP: ${result.metrics.mAP.toFixed(4)}`);
      stdout(`accuracy: ${result.metrics.accuracy.toFixed(4)}`);
    }
    if (result.best) {
      stdout(
        `best ${result.best.metric}: ${result.best.value.toFixed(4)} at step ${result.best.step}` +
          (result.best.model ? ` (${result.best.model})` : ''),
      );
    }
    if (result.model) stdout(`weights: ${result.model}`);
    return 0;
  },
};
