// Timing and kernel-profile helpers shared by the model benchmarks (this package's and @cat/ssl's).
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';

/** Runs `fn` (sync or async) `repeats` times after `warmup` runs; the fastest run counts (shared machine). */
export async function bestTime(fn, { repeats = 3, warmup = 1 } = {}) {
  const times = [];
  for (let run = 0; run < warmup + repeats; run++) {
    const start = performance.now();
    await fn();
    if (run >= warmup) times.push(performance.now() - start);
  }
  return { best: Math.min(...times), times };
}

/**
 * One run of `fn` under tf.profile: kernel calls and kernel time by kernel name and by (name, input shapes).
 * Kernels on wasm run synchronously, so a kernel's time is its wall time; the rest of the wall time is JS
 * overhead (graph bookkeeping, tape, tidy, host work).
 */
export async function kernelProfile(fn) {
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  const start = performance.now();
  const info = await tf.profile(fn);
  const wall = performance.now() - start;
  const byName = new Map();
  const byShape = new Map();
  let kernelMs = 0;
  // Ops with a custom gradient (e.g. tf.fused.matMul) show up as `<op>__op` around their kernel: skip them.
  for (const k of info.kernels.filter((kernel) => !kernel.name.endsWith('__op'))) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    kernelMs += ms;
    const add = (map, key) => {
      const entry = map.get(key) ?? { key, calls: 0, ms: 0 };
      entry.calls += 1;
      entry.ms += ms;
      map.set(key, entry);
    };
    add(byName, k.name);
    add(byShape, `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`);
  }
  const sorted = (map) => [...map.values()].sort((a, b) => b.ms - a.ms);
  return {
    wall,
    kernelMs,
    calls: [...byName.values()].reduce((n, e) => n + e.calls, 0),
    peakBytes: info.peakBytes,
    byName: sorted(byName),
    byShape: sorted(byShape),
  };
}

export function printProfile(profile, { top = 15, topShapes = 15 } = {}) {
  const { wall, kernelMs, calls } = profile;
  console.log(
    `  profiled run: ${wall.toFixed(0)} ms wall, ${kernelMs.toFixed(0)} ms in ${calls} kernel calls ` +
      `(${((100 * kernelMs) / wall).toFixed(0)}%), ${(wall - kernelMs).toFixed(0)} ms outside kernels`,
  );
  console.log('  top kernels by time:');
  for (const e of profile.byName.slice(0, top)) {
    console.log(
      `    ${e.key.padEnd(36)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.calls).padStart(6)} calls ${((100 * e.ms) / kernelMs).toFixed(1).padStart(5)}%`,
    );
  }
  console.log('  top kernel shapes by time:');
  for (const e of profile.byShape.slice(0, topShapes)) {
    console.log(`    ${e.ms.toFixed(1).padStart(8)} ms ${String(e.calls).padStart(5)}x  ${e.key}`);
  }
}

/**
 * Wraps the `call` of tfjs layers so each accumulates its wall time (nested layers count in their parents
 * too). Returns `report()` (ms per label since the last reset) and `reset()`.
 */
export function timeLayers(labelled) {
  const totals = new Map();
  for (const [label, layer] of labelled) {
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => {
      const start = performance.now();
      try {
        return call(inputs, kwargs);
      } finally {
        totals.set(label, (totals.get(label) ?? 0) + performance.now() - start);
      }
    };
  }
  return {
    report: () => new Map(totals),
    reset: () => totals.clear(),
  };
}

/** The machine, for the record. */
export function machine() {
  const model = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model;
  return `${cpus().length} cores, ${model}, node ${process.version}`;
}

export function rssMiB() {
  return process.memoryUsage().rss / 2 ** 20;
}
