import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NORMALIZATION_PRESETS, referenceFbank, toPatches } from '@cat/frontend';
import { readAudioFile, writeNpyFile } from '@cat/frontend/node';
import { assetPath, BUNDLED_CLIP } from '../assets.js';
import type { Command } from '../command.js';

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'the quickstart: the model input of a bundled real recording, end to end',
  positionals: { names: '', min: 0, max: 0 },
  options: {
    out: {
      type: 'string',
      valueName: 'DIR',
      default: 'runs/demo',
      description: 'where to write the results',
    },
  },
  async run({ values, stdout }) {
    const out = String(values.out);
    const path = assetPath(BUNDLED_CLIP);
    const audio = await readAudioFile(path);
    stdout(`decoded ${BUNDLED_CLIP}: ${audio.samples.length} samples at ${audio.sampleRate} Hz`);
    const raw = referenceFbank(audio.samples, audio.sampleRate);
    stdout(`Kaldi fbank: ${raw.frames} frames x ${raw.bins} mel bins`);
    const input = referenceFbank(audio.samples, audio.sampleRate, {
      targetLength: 1024,
      normalize: NORMALIZATION_PRESETS.audioset,
    });
    const patches = toPatches(input);
    stdout(
      `model input: [${input.frames}, ${input.bins}] -> ${patches.gridTime} x ${patches.gridFreq} grid of ${patches.count} tokens`,
    );
    await mkdir(out, { recursive: true });
    await writeNpyFile(join(out, 'fbank.npy'), raw.data, [raw.frames, raw.bins]);
    await writeNpyFile(join(out, 'model_input.npy'), input.data, [input.frames, input.bins]);
    stdout(`wrote ${join(out, 'fbank.npy')} and ${join(out, 'model_input.npy')}`);
    return 0;
  },
};
