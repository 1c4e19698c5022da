#!/usr/bin/env node
// Times referenceFbank (resample if needed → mean removal → CAT kaldi fbank) on a 10 s clip, decode excluded.
// Usage (after `pnpm build`): node bench/fbank.mjs [audio file] [--reps N]   (pnpm bench -- [file])
// Without a file it uses the bundled 16 kHz guitar fixture, looped to 10 s. Ends with `clips/s: <number>`.
import { fileURLToPath } from 'node:url';
import { benchmarkFbank } from '../dist/index.js';
import { readAudioFile } from '../dist/node.js';

const args = process.argv.slice(2);
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args.splice(repsAt, 2)[1]) : 100;
const path =
  args[0] ?? fileURLToPath(new URL('../test/__fixtures__/audio/guit_harmonics_16k.wav', import.meta.url));

const { samples, sampleRate } = await readAudioFile(path);
// Loop or crop to exactly 10 s at the file's own rate, as ref_fbank.py --bench does.
const clip = new Float32Array(10 * sampleRate);
for (let i = 0; i < clip.length; i++) clip[i] = samples[i % samples.length];

const { msPerClip, clipsPerSecond, engine } = benchmarkFbank(clip, sampleRate, reps);
console.log(
  `referenceFbank: 10 s clip at ${sampleRate} Hz (${path}), ${reps} reps, Node ${process.versions.node}`,
);
console.log(`${msPerClip.toFixed(3)} ms/clip (median, ${engine})`);
console.log(`clips/s: ${clipsPerSecond.toFixed(1)}`);
