import { readFile } from 'node:fs/promises';
import { type LabelSet, LabelSet as Labels, parseLabelList } from '@cat/data';
import { NORMALIZATION_PRESETS, referenceFbank } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';
import { prepareBackend } from '@cat/layers';
import { loadClassifier, readModelSpec } from '@cat/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { assetPath } from '../assets.js';
import {
  BACKENDS,
  backendOption,
  type Command,
  choiceOption,
  clipModelOptions,
  integerOption,
  NORMALIZATION_NAMES,
} from '../command.js';

/** AudioSet's 527 classes (`index,mid,display_name`), the reference's `inference/labels.csv`. */
export const AUDIOSET_LABELS = 'class_labels_indices.csv';

async function labelFile(path: string): Promise<LabelSet> {
  return parseLabelList(await readFile(path, 'utf8'), path);
}

export const tagCommand: Command = {
  path: ['tag'],
  summary: 'the top-k classes of audio files by a fine-tuned model (AudioSet names by default)',
  positionals: { names: 'AUDIO...', min: 1, max: Number.POSITIVE_INFINITY },
  options: {
    weights: clipModelOptions.weights,
    model: clipModelOptions.model,
    top: { type: 'string', valueName: 'K', default: '5', description: 'classes shown per file' },
    labels: {
      type: 'string',
      valueName: 'FILE',
      description:
        "label list (index,key,name) in the head's order (default: the model's own, else AudioSet's 527)",
    },
    'target-length': clipModelOptions['target-length'],
    normalize: clipModelOptions.normalize,
    backend: backendOption,
  },
  details: [
    'As the reference inference.py: sigmoid of the logits, the k highest with their display names.',
    'Output per file: the file name, then lines `  <score>  <display name> (<key>)`.',
    'Example: cat-audio tag --weights cat-base-as2m.safetensors --model cat-base --top 5 clip.wav',
  ].join('\n'),
  async run({ values, positionals, stdout, stderr }) {
    if (values.weights === undefined) throw new Error('--weights is required');
    const weights = String(values.weights);
    const top = integerOption(values, 'top')!;
    const targetLength = integerOption(values, 'target-length')!;
    const normalize = NORMALIZATION_PRESETS[choiceOption(values, 'normalize', NORMALIZATION_NAMES)];
    const backend = await prepareBackend({ backend: choiceOption(values, 'backend', BACKENDS) });
    stderr(`backend ${backend.name}: ${backend.reason}`);
    const model = values.model === undefined ? undefined : await readModelSpec(String(values.model));
    const { classifier, labels: saved } = await loadClassifier(weights, model);
    try {
      const labels =
        values.labels !== undefined
          ? await labelFile(String(values.labels))
          : saved
            ? new Labels(saved.keys, saved.names)
            : await labelFile(assetPath(AUDIOSET_LABELS));
      if (labels.size !== classifier.numClasses) {
        throw new Error(
          `${weights} has a ${classifier.numClasses}-class head but the label list has ${labels.size} classes (give --labels)`,
        );
      }
      for (const path of positionals) {
        const audio = await readAudioFile(path);
        const fbank = referenceFbank(audio.samples, audio.sampleRate, { targetLength, normalize });
        const scores = tf.tidy(() =>
          tf.sigmoid(classifier.logits(tf.tensor3d(fbank.data, [1, fbank.frames, fbank.bins]))).dataSync(),
        );
        const ranked = Array.from(scores.keys())
          .sort((a, b) => scores[b] - scores[a])
          .slice(0, top);
        stdout(path);
        for (const k of ranked) stdout(`  ${scores[k].toFixed(4)}  ${labels.names[k]} (${labels.keys[k]})`);
      }
    } finally {
      classifier.dispose();
    }
    return 0;
  },
};
