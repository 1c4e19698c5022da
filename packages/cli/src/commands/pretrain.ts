import { loadRecipe, pretrain } from '@cat/train/node';
import { BACKENDS, type Command, choiceOption, integerOption, UsageError } from '../command.js';

export const pretrainCommand: Command = {
  path: ['pretrain'],
  summary: 'self-supervised pre-training (bootstrap objective, EMA teacher, optional regularization)',
  positionals: { names: '', min: 0, max: 0 },
  options: {
    config: {
      type: 'string',
      valueName: 'FILE|NAME',
      description:
        'a recipe JSON file or a bundled recipe (tiny-pretrain, as2m-pretrain); default: the reference defaults',
    },
    set: {
      type: 'string',
      valueName: 'KEY=VALUE',
      multiple: true,
      description: 'override a recipe key (repeatable)',
    },
    data: {
      type: 'string',
      valueName: 'PATH',
      description: 'training data: manifest, folder or CSV (labels are ignored)',
    },
    model: { type: 'string', valueName: 'NAME', description: 'cat-tiny, cat-small, cat-base, eat-base, ...' },
    steps: { type: 'string', valueName: 'N', description: 'optimizer steps' },
    out: {
      type: 'string',
      valueName: 'DIR',
      description: 'run folder: checkpoints, metrics, plot, last.safetensors',
    },
    minutes: {
      type: 'string',
      valueName: 'M',
      description: 'stop after M minutes of wall time (checkpointing first)',
    },
    backend: { type: 'string', valueName: 'NAME', description: `tfjs backend: ${BACKENDS.join(', ')}` },
    replicas: {
      type: 'string',
      valueName: 'N',
      description: 'data-parallel threads (default: one per core on wasm and cpu, 1 on TensorFlow)',
    },
    fresh: {
      type: 'boolean',
      description: 'start over instead of resuming from the newest checkpoint in DIR',
    },
  },
  details: [
    'The resolved recipe is saved as DIR/config.json; a killed run resumes where it stopped when run again.',
    'Examples:',
    '  cat-audio pretrain --data clips/ --model cat-tiny --steps 600 --out runs/tiny',
    '  cat-audio pretrain --config as2m-pretrain --set data.train=/data/as2m/train.tsv --set data.root=/data/as2m',
  ].join('\n'),
  async run({ values, stderr, stdout }) {
    const overrides = [...((values.set as string[] | undefined) ?? [])];
    const steps = integerOption(values, 'steps');
    if (values.data !== undefined) overrides.push(`data.train=${JSON.stringify(values.data)}`);
    if (values.model !== undefined) overrides.push(`model=${JSON.stringify(values.model)}`);
    if (values.out !== undefined) overrides.push(`checkpoint.out=${JSON.stringify(values.out)}`);
    if (values.backend !== undefined)
      overrides.push(`backend=${JSON.stringify(choiceOption(values, 'backend', BACKENDS))}`);
    const replicas = integerOption(values, 'replicas');
    if (replicas !== undefined) overrides.push(`replicas=${replicas}`);
    if (steps !== undefined) {
      overrides.push(`optim.steps=${steps}`);
      // Without a recipe the reference's 53k warm-up would exceed a short run: keep it at 10%.
      if (values.config === undefined) overrides.push(`optim.warmupSteps=${Math.floor(steps / 10)}`);
    }
    const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
    if (minutes !== undefined && !(minutes > 0))
      throw new UsageError(`--minutes must be > 0, got '${values.minutes}'`);
    const recipe = await loadRecipe((values.config as string | undefined) ?? null, overrides);
    const result = await pretrain({ recipe, minutes, resume: !values.fresh, log: stderr });
    stdout(`replicas: ${result.replicas}`);
    stdout(`steps: ${result.step} (${result.stoppedBy === 'time' ? 'stopped by --minutes' : 'done'})`);
    stdout(`final loss: ${result.losses.at(-1)?.toFixed(4) ?? 'n/a'}`);
    stdout(`weights: ${result.lastWeights}`);
    return 0;
  },
};
