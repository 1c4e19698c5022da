import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { NORMALIZATION_PRESETS, referenceFbank } from '@cat/frontend';
import { readAudioFile, writeNpyFile } from '@cat/frontend/node';
import { FeatureExtractor, type Granularity, MODEL_NAMES, type ModelName, prepareBackend } from '@cat/layers';
import { readTensors } from '@cat/train/node';
import {
  BACKENDS,
  backendOption,
  type Command,
  choiceOption,
  integerOption,
  UsageError,
} from '../command.js';

const GRANULARITIES = ['all', 'utterance', 'frame'] as const;
const AUDIO = new Set(['.wav', '.flac', '.ogg', '.oga', '.mp3']);
export const embedCommand: Command = {
  path: ['embed'],
  summary: 'CLS and patch-token embeddings of audio files as float32 .npy',
  positionals: { names: 'IN OUT', min: 2, max: 2 },
  options: {
    weights: {
      type: 'string',
      valueName: 'FILE',
      description: 'safetensors checkpoint (pre-training or fine-tuned layout)',
    },
    'init-seed': {
      type: 'string',
      valueName: 'S',
      description: 'a random initialisation instead of --weights',
    },
    model: { type: 'string', valueName: 'NAME', default: 'cat-base', description: MODEL_NAMES.join(', ') },
    teacher: {
      type: 'boolean',
      description: "embed with a pre-training checkpoint's EMA teacher instead of the student",
    },
    'target-length': {
      type: 'string',
      valueName: 'N',
      default: '1024',
      description: 'frames after pad/crop (multiple of 16)',
    },
    granularity: {
      type: 'string',
      valueName: 'G',
      default: 'all',
      description: 'all: [1+N, D] CLS then patch tokens; utterance: [1, D] CLS; frame: [N, D] patch tokens',
    },
    backend: backendOption,
  },
  details: [
    'IN is an audio file (OUT an .npy file) or a folder (OUT a folder: one .npy per audio file, same names).',
    'Input: the reference frontend (16 kHz, Kaldi fbank, pad/crop to the target length, AudioSet normalisation).',
    'Patch tokens come in the reference order: index = time_patch * 8 + freq_patch.',
  ].join('\n'),
  async run({ values, positionals, stderr }) {
    const [input, output] = positionals;
    const model = choiceOption(values, 'model', MODEL_NAMES) as ModelName;
    const granularity = choiceOption(values, 'granularity', GRANULARITIES) as Granularity;
    const targetLength = integerOption(values, 'target-length') ?? 1024;
    if (targetLength % 16 !== 0)
      throw new UsageError(`--target-length must be a multiple of 16, got ${targetLength}`);
    const seed = integerOption(values, 'init-seed', 0);
    if ((values.weights === undefined) === (seed === undefined)) {
      throw new UsageError('give exactly one of --weights FILE and --init-seed S');
    }
    await prepareBackend({ backend: choiceOption(values, 'backend', BACKENDS) });
    const weights = values.weights === undefined ? undefined : await readTensors(String(values.weights));
    const extractor = new FeatureExtractor({
      model,
      weights,
      weightsSource: values.weights as string | undefined,
      seed,
      use: values.teacher ? 'teacher' : 'student',
    });
    const isFolder = (await stat(input).catch(() => null))?.isDirectory() ?? false;
    const jobs = isFolder
      ? (await readdir(input))
          .filter((name) => AUDIO.has(extname(name).toLowerCase()))
          .sort()
          .map((name) => [join(input, name), join(output, `${basename(name, extname(name))}.npy`)])
      : [[input, output]];
    if (jobs.length === 0)
      throw new Error(`${input}: no audio files (.wav, .flac, .ogg, .mp3) in this folder`);
    if (isFolder) await mkdir(output, { recursive: true });
    try {
      for (const [source, target] of jobs) {
        const audio = await readAudioFile(source);
        const fbank = referenceFbank(audio.samples, audio.sampleRate, {
          targetLength,
          normalize: NORMALIZATION_PRESETS.audioset,
        });
        const embedding = extractor.embed(fbank.data, granularity);
        await writeNpyFile(target, embedding.data, embedding.shape);
        stderr(`${source} -> ${target} [${embedding.shape.join(', ')}]`);
      }
    } finally {
      extractor.dispose();
    }
    return 0;
  },
};
