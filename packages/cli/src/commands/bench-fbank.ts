import { benchmarkFbank, resample } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';
import { assetPath, BUNDLED_CLIP } from '../assets.js';
import { type Command, integerOption } from '../command.js';

const RATE = 16000;

/** Loop or crop to exactly `seconds` of audio, as the reference benchmark does. */
function tenSecondClip(samples: Float32Array, seconds: number): Float32Array {
  const n = seconds * RATE;
  const out = new Float32Array(n);
  for (let offset = 0; offset < n; offset += samples.length) {
    out.set(samples.subarray(0, Math.min(samples.length, n - offset)), offset);
  }
  return out;
}

export const benchFbankCommand: Command = {
  path: ['bench', 'fbank'],
  summary: 'time the reference fbank pipeline on a 10 s clip (decode excluded)',
  positionals: { names: '[FILE]', min: 0, max: 1 },
  options: {
    reps: {
      type: 'string',
      valueName: 'N',
      default: '200',
      description: 'timed repetitions after 3 warm-up runs',
    },
  },
  details: [
    'FILE (default: a bundled 16 kHz guitar recording) is resampled to 16 kHz once, looped or cropped to 10 s,',
    'then the pipeline (mean removal, Kaldi fbank, 128 bins) runs REPS times on one thread.',
    'Compare with: /usr/bin/python3 ref_fbank.py --bench [FILE] (torchaudio).',
  ].join('\n'),
  async run({ values, positionals, stdout }) {
    const reps = integerOption(values, 'reps') ?? 200;
    const path = positionals[0] ?? assetPath(BUNDLED_CLIP);
    const audio = await readAudioFile(path);
    const at16k = audio.sampleRate === RATE ? audio.samples : resample(audio.samples, audio.sampleRate, RATE);
    const clip = tenSecondClip(at16k, 10);
    stdout(`bench: 10 s clip (${path}), ${reps} reps, Node ${process.version}`);
    const result = benchmarkFbank(clip, RATE, reps);
    stdout(`${result.msPerClip.toFixed(3)} ms/clip`);
    stdout(`clips/s: ${result.clipsPerSecond.toFixed(1)}`);
    return 0;
  },
};
