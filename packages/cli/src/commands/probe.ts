import { labelSetOf } from '@cat/data';
import { loadAnyDataset, loadLabelList } from '@cat/data/node';
import { createEncoder, loadCheckpoint, prepareBackend, type SpectrogramEncoder } from '@cat/layers';
import {
  type FeatureFunction,
  fbankStatistics,
  linearProbe,
  readModelFile,
  readModelSpec,
  savedModel,
} from '@cat/train/node';
import {
  BACKENDS,
  backendOption,
  type Command,
  type CommandContext,
  choiceOption,
  clipModelOptions,
  integerOption,
  NORMALIZATION_NAMES,
  UsageError,
  workersOption,
} from '../command.js';

const POOLS = ['cls', 'mean', 'both', 'bands'] as const;
const FEATURES = ['encoder', 'fbank-stats'] as const;
function positiveNumber(values: CommandContext['values'], key: string): number | undefined {
  if (values[key] === undefined) return undefined;
  const value = Number(values[key]);
  if (!(value > 0)) throw new UsageError(`--${key} must be a number > 0, got '${String(values[key])}'`);
  return value;
}

/** The frozen encoder: weights from a file (either layout), or a random initialisation. */
async function probeEncoder(
  values: CommandContext['values'],
  stderr: (line: string) => void,
): Promise<SpectrogramEncoder> {
  const seed = integerOption(values, 'init-seed', 0);
  const weights = values.weights as string | undefined;
  if ((weights === undefined) === (seed === undefined))
    throw new UsageError('give either --weights FILE or --init-seed S');
  const given = values.model === undefined ? undefined : await readModelSpec(String(values.model));
  if (weights === undefined) {
    const encoder = createEncoder(given ?? 'cat-base', seed);
    stderr(
      `random initialisation (seed ${seed}) of ${typeof given === 'string' ? given : given ? 'the given encoder' : 'cat-base'}`,
    );
    return encoder;
  }
  const file = await readModelFile(weights);
  const encoder = createEncoder(given ?? savedModel(file) ?? 'cat-base');
  try {
    loadCheckpoint({ encoder }, file.tensors, weights);
  } catch (error) {
    encoder.dispose();
    throw error;
  }
  stderr(`encoder weights from ${weights}`);
  return encoder;
}

export const probeCommand: Command = {
  path: ['probe'],
  summary: 'linear probe: a linear classifier on frozen embeddings, scored on a test split',
  positionals: { names: '', min: 0, max: 0 },
  options: {
    weights: {
      type: 'string',
      valueName: 'FILE',
      description: 'encoder weights (pre-training or fine-tuned safetensors)',
    },
    'init-seed': {
      type: 'string',
      valueName: 'S',
      description: 'probe a random initialisation instead of --weights',
    },
    model: {
      type: 'string',
      valueName: 'NAME|FILE',
      description:
        'cat-base, cat-tiny, ... or an encoder-config JSON file (default: the one the weights name, else cat-base)',
    },
    train: {
      type: 'string',
      valueName: 'CSV|PATH',
      description: 'training clips: path,label CSV or any dataset layout',
    },
    test: { type: 'string', valueName: 'CSV|PATH', description: 'test clips, same forms' },
    labels: {
      type: 'string',
      valueName: 'FILE',
      description: 'label list fixing the classes (default: those of --train)',
    },
    pool: {
      type: 'string',
      valueName: 'P',
      default: 'cls',
      description: `embedding per clip: ${POOLS.join(', ')} (CLS, mean of patch tokens, both, tokens averaged over time per frequency band)`,
    },
    features: {
      type: 'string',
      valueName: 'F',
      default: 'encoder',
      description:
        'encoder, or fbank-stats: the per-bin mean and std of the fbank (a baseline without a model)',
    },
    'target-length': clipModelOptions['target-length'],
    normalize: clipModelOptions.normalize,
    'batch-size': clipModelOptions['batch-size'],
    epochs: {
      type: 'string',
      valueName: 'N',
      default: '300',
      description: 'full-batch epochs of the classifier',
    },
    lr: {
      type: 'string',
      valueName: 'X',
      default: '0.01',
      description: 'AdamW learning rate of the classifier',
    },
    'weight-decay': {
      type: 'string',
      valueName: 'X',
      default: '0.0001',
      description: 'weight decay (L2) of the classifier',
    },
    workers: workersOption,
    backend: backendOption,
  },
  details: [
    "CSV rows are `path,label` (a header row is optional), paths relative to the CSV's folder. Features are",
    'standardised with the training statistics; single-label data gets a softmax classifier, multi-label a sigmoid',
    'one (then mAP is printed too). The last line is `accuracy: <fraction>` on the test split.',
    'Example: cat-audio probe --weights runs/tiny/last.safetensors --model cat-tiny --train train.csv --test test.csv',
  ].join('\n'),
  async run({ values, stdout, stderr }) {
    if (values.train === undefined || values.test === undefined)
      throw new UsageError('--train and --test are required');
    const pool = choiceOption(values, 'pool', POOLS);
    const kind = choiceOption(values, 'features', FEATURES);
    const normalize = choiceOption(values, 'normalize', NORMALIZATION_NAMES);
    const targetLength = integerOption(values, 'target-length')!;
    const batchSize = integerOption(values, 'batch-size')!;
    const epochs = integerOption(values, 'epochs')!;
    const workers = integerOption(values, 'workers', 0);
    const lr = positiveNumber(values, 'lr');
    const weightDecay = Number(values['weight-decay']);
    if (!(weightDecay >= 0))
      throw new UsageError(`--weight-decay must be >= 0, got '${values['weight-decay']}'`);
    const backend = await prepareBackend({ backend: choiceOption(values, 'backend', BACKENDS) });
    stderr(`backend ${backend.name}: ${backend.reason}`);
    const labels = values.labels === undefined ? undefined : await loadLabelList(String(values.labels));
    const train = await loadAnyDataset(String(values.train), { labels });
    const trainSet = train.splits?.train ?? train.dataset;
    const test = await loadAnyDataset(String(values.test), { labels: labelSetOf(trainSet) });
    const testSet = test.splits?.test ?? test.dataset;
    for (const { file, line, reason } of [...trainSet.problems, ...testSet.problems])
      stderr(`${file}:${line}: ${reason}`);
    let encoder: SpectrogramEncoder | undefined;
    let features: FeatureFunction | undefined;
    if (kind === 'fbank-stats') {
      if (values.weights !== undefined || values['init-seed'] !== undefined)
        throw new UsageError('--features fbank-stats uses no model: drop --weights / --init-seed');
      features = fbankStatistics;
    } else {
      encoder = await probeEncoder(values, stderr);
    }
    try {
      const result = await linearProbe({
        encoder,
        features,
        pool,
        train: trainSet,
        test: testSet,
        targetLength,
        normalize,
        batchSize,
        workers,
        epochs,
        lr,
        weightDecay,
        log: stderr,
      });
      stderr(
        `${result.trainClips} training and ${result.testClips} test clips, ${result.dim}-d features, ` +
          `${result.multiLabel ? 'multi-label (sigmoid)' : 'single-label (softmax)'}; train accuracy ${result.trainAccuracy.toFixed(4)}`,
      );
      if (result.mAP !== undefined) stdout(`mAP: ${result.mAP.toFixed(4)}`);
      stdout(`accuracy: ${result.accuracy.toFixed(4)}`);
    } finally {
      encoder?.dispose();
    }
    return 0;
  },
};
