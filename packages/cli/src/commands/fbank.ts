import { NORMALIZATION_PRESETS, referenceFbank } from '@cat/frontend';
import { readAudioFile, writeNpyFile } from '@cat/frontend/node';
import { type Command, choiceOption, integerOption } from '../command.js';

const PRESETS = Object.keys(NORMALIZATION_PRESETS) as (keyof typeof NORMALIZATION_PRESETS)[];

export const fbankCommand: Command = {
  path: ['fbank'],
  summary: 'compute the CAT reference log-mel fbank of an audio file and save it as .npy',
  positionals: { names: 'IN OUT.npy', min: 2, max: 2 },
  options: {
    normalize: {
      type: 'boolean',
      description: 'normalise as (x - mean) / (2 * std) with the preset statistics',
    },
    'target-length': {
      type: 'string',
      valueName: 'N',
      description: 'zero-pad at the end or crop to N frames (before normalising, as the reference)',
    },
    preset: {
      type: 'string',
      valueName: 'NAME',
      default: 'audioset',
      description: `normalisation statistics: ${PRESETS.join(', ')}`,
    },
  },
  details: [
    'The pipeline is the reference one: decode (WAV, FLAC, Ogg Vorbis, MP3; channels averaged to mono),',
    'resample to 16 kHz as torchaudio.functional.resample, subtract the mean, Kaldi fbank with 128 mel bins,',
    '25 ms Hanning frames every 10 ms, htk_compat, no energy, no dither.',
    'Output: float32 C-order .npy of shape [frames, 128], as ref_fbank.py IN OUT.npy [--normalize] [--target-length N].',
  ].join('\n'),
  async run({ values, positionals, stderr }) {
    const [input, output] = positionals;
    const preset = choiceOption(values, 'preset', PRESETS);
    const targetLength = integerOption(values, 'target-length');
    const audio = await readAudioFile(input);
    const fbank = referenceFbank(audio.samples, audio.sampleRate, {
      targetLength,
      normalize: values.normalize ? NORMALIZATION_PRESETS[preset] : undefined,
    });
    await writeNpyFile(output, fbank.data, [fbank.frames, fbank.bins]);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (const v of fbank.data) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    stderr(
      `${input}: ${audio.samples.length} samples @ ${audio.sampleRate} Hz -> ${output} [${fbank.frames}, ${fbank.bins}] ` +
        `min ${min.toFixed(4)} max ${max.toFixed(4)} mean ${(sum / fbank.data.length).toFixed(4)}`,
    );
    return 0;
  },
};
