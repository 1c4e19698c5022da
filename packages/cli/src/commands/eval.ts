import { LabelSet, minSampleSize } from '@cat/data';
import { FbankLoader, loadAnyDataset, loadLabelList } from '@cat/data/node';
import { prepareBackend } from '@cat/layers';
import { evaluateClassifier, loadClassifier, readModelSpec } from '@cat/train/node';
import {
  BACKENDS,
  backendOption,
  type Command,
  choiceOption,
  clipModelOptions,
  integerOption,
  NORMALIZATION_NAMES,
  UsageError,
  workersOption,
} from '../command.js';

export const evalCommand: Command = {
  path: ['eval'],
  summary: 'score a fine-tuned model on labelled clips: mAP, accuracy, d-prime',
  positionals: { names: '', min: 0, max: 0 },
  options: {
    weights: clipModelOptions.weights,
    model: clipModelOptions.model,
    data: {
      type: 'string',
      valueName: 'PATH',
      description: 'evaluation clips: manifest (.tsv/.json/.csv) or folder',
    },
    labels: {
      type: 'string',
      valueName: 'FILE',
      description:
        "label list in the head's order (default: the classes saved with the model, else the data's)",
    },
    root: {
      type: 'string',
      valueName: 'DIR',
      description: "audio root replacing a .tsv manifest's root line",
    },
    'target-length': clipModelOptions['target-length'],
    normalize: clipModelOptions.normalize,
    'batch-size': clipModelOptions['batch-size'],
    'min-samples': {
      type: 'string',
      valueName: 'N',
      default: String(minSampleSize),
      description:
        "leave out clips shorter than N samples, as fine-tuning's evaluation does (0 keeps every clip)",
    },
    workers: workersOption,
    backend: backendOption,
  },
  details: [
    'Metrics as the reference (tasks/finetuning.py): mAP = nanmean over classes of the average precision of the',
    'sigmoid scores; accuracy = fraction of clips whose top score is at their (first) label; d-prime from the',
    'mean ROC-AUC. Clips are padded or cropped to --target-length frames, without augmentation.',
    `Clips shorter than --min-samples samples (at the file's own rate) are left out, as the reference's loader and`,
    `\`cat-audio finetune\`'s evaluation (data.minSamples, default ${minSampleSize}) leave them out, so both score the`,
    'same clips; each clip left out is named on stderr.',
  ].join('\n'),
  async run({ values, stdout, stderr }) {
    if (values.weights === undefined || values.data === undefined)
      throw new UsageError('--weights and --data are required');
    const weights = String(values.weights);
    const normalize = choiceOption(values, 'normalize', NORMALIZATION_NAMES);
    const targetLength = integerOption(values, 'target-length')!;
    const batchSize = integerOption(values, 'batch-size')!;
    const workers = integerOption(values, 'workers', 0);
    const minSamples = integerOption(values, 'min-samples', 0)!;
    const backend = await prepareBackend({ backend: choiceOption(values, 'backend', BACKENDS) });
    stderr(`backend ${backend.name}: ${backend.reason}`);
    const model = values.model === undefined ? undefined : await readModelSpec(String(values.model));
    const { classifier, labels: saved } = await loadClassifier(weights, model);
    try {
      const labels =
        values.labels !== undefined
          ? await loadLabelList(String(values.labels))
          : saved
            ? new LabelSet(saved.keys, saved.names)
            : undefined;
      const loaded = await loadAnyDataset(String(values.data), {
        labels,
        root: values.root === undefined ? undefined : String(values.root),
      });
      const dataset = loaded.splits?.test ?? loaded.dataset;
      if (dataset.labelKeys.length !== classifier.numClasses) {
        throw new Error(
          `${values.data}: ${dataset.labelKeys.length} classes, but ${weights} has a ${classifier.numClasses}-class head (give --labels)`,
        );
      }
      const loader = new FbankLoader(dataset, {
        batchSize,
        targetLength,
        normalize,
        workers,
        minSamples,
        shuffle: false,
        log: stderr,
      });
      try {
        const { metrics } = await evaluateClassifier(classifier, loader.epoch());
        stdout(`clips: ${metrics.clips}`);
        stdout(`mAP: ${metrics.mAP.toFixed(4)}`);
        stdout(`accuracy: ${metrics.accuracy.toFixed(4)}`);
        stdout(`d-prime: ${metrics.dPrime.toFixed(4)}`);
        stdout(`auc: ${metrics.auc.toFixed(4)}`);
      } finally {
        await loader.close();
      }
    } finally {
      classifier.dispose();
    }
    return 0;
  },
};
