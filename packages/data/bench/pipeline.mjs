#!/usr/bin/env node
// Clips per second from 32 kHz, 10 s WAV files on disk to normalised [B, 1024, 128] fbank batches, through
// FbankLoader: in-process, 1 and 2 worker threads, and with a warm fbank cache. Build first (`pnpm build`).
// Usage: node bench/pipeline.mjs [--clips N]. Ends with `clips/s: <best>`.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FbankLoader } from '../dist/node.js';

const args = process.argv.slice(2);
const clipsAt = args.indexOf('--clips');
const clipCount = clipsAt >= 0 ? Number(args[clipsAt + 1]) : 64;
const sampleRate = 32000;
const seconds = 10;

/** A 16-bit mono WAV of a few harmonics with vibrato, an amplitude envelope and noise, like a recording. */
function synthetic(index) {
  const n = sampleRate * seconds;
  const bytes = Buffer.alloc(44 + 2 * n);
  bytes.write('RIFF', 0);
  bytes.writeUInt32LE(36 + 2 * n, 4);
  bytes.write('WAVEfmt ', 8);
  bytes.writeUInt32LE(16, 16);
  bytes.writeUInt16LE(1, 20);
  bytes.writeUInt16LE(1, 22);
  bytes.writeUInt32LE(sampleRate, 24);
  bytes.writeUInt32LE(2 * sampleRate, 28);
  bytes.writeUInt16LE(2, 32);
  bytes.writeUInt16LE(16, 34);
  bytes.write('data', 36);
  bytes.writeUInt32LE(2 * n, 40);
  let state = index + 1;
  const f0 = 110 * 2 ** ((index % 24) / 12);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const t = i / sampleRate;
    phase += (2 * Math.PI * f0 * (1 + 0.01 * Math.sin(2 * Math.PI * 5 * t))) / sampleRate;
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 0.3 * t + index);
    const x = envelope * (0.3 * Math.sin(phase) + 0.15 * Math.sin(2 * phase) + 0.07 * Math.sin(3 * phase));
    const noise = (state / 2 ** 32 - 0.5) * 0.05;
    bytes.writeInt16LE(Math.round((x + noise) * 32767 * 0.8), 44 + 2 * i);
  }
  return bytes;
}

const root = await mkdtemp(join(tmpdir(), 'cat-data-bench-'));
try {
  await mkdir(join(root, 'audio'));
  const entries = [];
  for (let i = 0; i < clipCount; i++) {
    const path = join(root, 'audio', `clip${i}.wav`);
    await writeFile(path, synthetic(i));
    entries.push({ id: `clip${i}`, path, labels: [i % 10] });
  }
  const dataset = {
    entries,
    labelKeys: Array.from({ length: 10 }, (_, i) => `${i}`),
    labelNames: Array.from({ length: 10 }, (_, i) => `class ${i}`),
    problems: [],
  };

  // Each configuration runs two epochs on one loader: the first includes starting the worker threads
  // (and, with the cache, filling it); the second is the steady state (with the cache: warm).
  const configurations = [
    { name: 'in-process (workers 0)', workers: 0 },
    { name: '1 worker', workers: 1 },
    { name: '2 workers', workers: 2 },
    { name: '2 workers + fbank cache (epoch 1 cold, epoch 2 warm)', workers: 2, cache: join(root, 'cache') },
  ];
  console.log(
    `FbankLoader: ${clipCount} WAV clips, ${seconds} s at ${sampleRate} Hz -> batches [16, 1024, 128] (audioset normalisation); ` +
      `Node ${process.versions.node}, ${availableParallelism()} cores`,
  );
  console.log('| configuration | epoch 1 clips/s | epoch 2 clips/s |');
  console.log('|---|---|---|');
  let best = 0;
  for (const { name, workers, cache } of configurations) {
    const loader = new FbankLoader(dataset, {
      batchSize: 16,
      targetLength: 1024,
      normalize: 'audioset',
      workers,
      cache,
      seed: 1,
      log: false,
    });
    const rates = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      let clips = 0;
      const start = performance.now();
      for await (const batch of loader.epoch()) clips += batch.size;
      const elapsed = (performance.now() - start) / 1000;
      if (clips !== clipCount) throw new Error(`${name}: ${clips} of ${clipCount} clips delivered`);
      rates.push(clips / elapsed);
    }
    await loader.close();
    best = Math.max(best, ...rates);
    console.log(`| ${name} | ${rates[0].toFixed(1)} | ${rates[1].toFixed(1)} |`);
  }
  console.log(`clips/s: ${best.toFixed(1)}`);
} finally {
  await rm(root, { recursive: true, force: true });
}
