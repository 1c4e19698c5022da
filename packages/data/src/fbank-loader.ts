import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { NORMALIZATION_PRESETS, type NormalizationStats, SeededRandom } from '@cat/frontend';
import type { SkipKind } from './clip-features.js';
import { type ClipJob, type ClipProcessOptions, type ClipResult, processClip } from './clip-source.js';
import { streamSeed } from './distributions.js';
import { type EpochOrder, EpochSampler, type SamplerCursor, shuffledOrder } from './epoch-sampler.js';
import { type MixupOptions, mixupBatch } from './mixup.js';
import { type SpecAugmentOptions, specAugment } from './spec-augment.js';
import { minSampleSize, shard } from './subsets.js';
import { batchTargets } from './targets.js';
import type { ClipEntry, Dataset, Problem } from './types.js';
import { weightedOrder } from './weighted-sampling.js';
import { ClipWorkerPool } from './worker-pool.js';

export interface FbankLoaderOptions {
  batchSize: number;
  /** Frames per clip (AS 1024, ESC-50 512, SPC-2 128). */
  targetLength: number;
  /** Normalisation statistics or a preset name (`audioset`, `esc50`, `spc2`); omit for raw log-mel. */
  normalize?: NormalizationStats | keyof typeof NORMALIZATION_PRESETS;
  /** Worker threads decoding and computing fbanks; 0 runs everything on the calling thread. Default: all cores. */
  workers?: number;
  /** Seed of the shuffle and of every augmentation (default 0). Ignored when `cursor` is given. */
  seed?: number;
  /** Shuffle every epoch (default true); false keeps the manifest order. */
  shuffle?: boolean;
  /** Per-entry sampling weights (aligned with `dataset.entries`, e.g. `audiosetSampleWeights`): each epoch draws `samplesPerEpoch` clips without replacement. */
  weights?: ArrayLike<number>;
  samplesPerEpoch?: number;
  /** Drop the epoch's last, smaller batch (default false). */
  dropLast?: boolean;
  /** Resume from a saved `loader.cursor`. */
  cursor?: SamplerCursor;
  /** Folder of an on-disk fbank cache shared across epochs and processes. */
  cache?: string;
  /** Batches' worth of clips being prepared ahead of the consumer (default 2). */
  prefetch?: number;
  /** This process's part of the data: entries ≡ rank (mod worldSize). */
  rank?: number;
  worldSize?: number;
  /** Entries whose manifest size, or decoded length, is below this are skipped (default 10 000; 0 keeps all). */
  minSamples?: number;
  /** Waveform roll + Beta(10,10)+0.5 gain (reference fine-tuning). Bypasses the cache. */
  rollGain?: boolean;
  /** A random window of `targetLength` frames instead of the first ones. */
  randomCrop?: boolean;
  /** SPC-2 fbank noise + time roll. */
  noise?: boolean;
  /** Batch mixup (pairs example i with B−1−i), applied before SpecAugment. */
  mixup?: MixupOptions;
  specAugment?: SpecAugmentOptions;
  /** One-hot targets (each clip must have exactly one label), optionally smoothed; default multi-hot. */
  singleLabel?: boolean;
  labelSmoothing?: number;
  /** Where skipped files and epoch summaries are reported, one line each (default console.warn; false: silent). */
  log?: ((line: string) => void) | false;
  /** The worker script (default: `worker.js` next to this module in the built package). */
  workerScript?: string | URL;
}

/** A batch of model input: `inputs` [size, frames, bins] and `targets` [size, numClasses], row-major. */
export interface FbankBatch {
  inputs: Float32Array;
  targets: Float32Array;
  ids: string[];
  paths: string[];
  size: number;
  frames: number;
  bins: number;
  numClasses: number;
  epoch: number;
  /** The mixup weight applied to this batch (1: not mixed). */
  mixupLambda: number;
}

export interface SkippedClip {
  path: string;
  kind: SkipKind;
  reason: string;
}

export interface LoaderReport {
  /** Entries the loader draws from, after the size filter and sharding. */
  clips: number;
  /** Clips delivered in batches so far. */
  delivered: number;
  /** Every file skipped so far, once each, with the first reason met. */
  skipped: SkippedClip[];
  /** Number of skipped files per kind. */
  counts: Partial<Record<SkipKind, number>>;
  /** Lines of the manifest that were dropped or repaired while reading it. */
  manifestProblems: Problem[];
  /** Clips served from the fbank cache. */
  cacheHits: number;
}

const defaultWorkerScript = new URL('./worker.js', import.meta.url);

type Settled = { result: ClipResult } | { error: Error };

/**
 * Dataset → seeded (or weighted) order → decode + resample + fbank (+ pad/crop, normalise, augment) in
 * worker threads → batches, prepared `prefetch` batches ahead. Broken files are skipped, reported once
 * and replaced by the next clips of the order, so every batch is full (except perhaps an epoch's last).
 * Batches are the same whatever the worker count, and a saved `cursor` resumes mid-epoch with the
 * batches an uninterrupted run would have produced.
 *
 * ```ts
 * const loader = new FbankLoader(dataset, { batchSize: 48, targetLength: 1024, normalize: 'audioset' });
 * for await (const batch of loader.epoch()) train(batch, loader.cursor);
 * await loader.close();
 * ```
 */
export class FbankLoader {
  private readonly entries: ClipEntry[];
  private readonly numClasses: number;
  private readonly options: FbankLoaderOptions;
  private readonly processOptions: ClipProcessOptions;
  private readonly order: EpochOrder;
  private readonly log: (line: string) => void;
  private readonly skipped = new Map<string, SkippedClip>();
  private readonly manifestProblems: Problem[];
  private state: SamplerCursor;
  private pool: ClipWorkerPool | undefined;
  private inProcess = false;
  private readonly workerCount: number;
  private running = false;
  private delivered = 0;
  private cacheHits = 0;

  constructor(dataset: Dataset, options: FbankLoaderOptions) {
    const { batchSize, targetLength } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`FbankLoader: batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(targetLength) || targetLength < 1)
      throw new Error(`FbankLoader: targetLength must be a positive integer, got ${targetLength}`);
    if (options.cursor && options.seed !== undefined && options.cursor.seed !== options.seed)
      throw new Error(`FbankLoader: cursor seed ${options.cursor.seed} differs from seed ${options.seed}`);
    this.options = options;
    this.log = options.log === false ? () => {} : (options.log ?? ((line) => console.warn(line)));
    this.numClasses = dataset.labelKeys.length;
    this.manifestProblems = [...dataset.problems];
    for (const { file, line, reason } of this.manifestProblems) this.log(`${file}:${line}: ${reason}`);
    this.workerCount = options.workers ?? availableParallelism();
    if (!Number.isInteger(this.workerCount) || this.workerCount < 0)
      throw new Error(`FbankLoader: workers must be a whole number >= 0, got ${this.workerCount}`);
    const minSamples = options.minSamples ?? minSampleSize;

    // Entries the manifest already rules out are skipped up front, as the reference drops short clips.
    let indices = dataset.entries.map((_, index) => index);
    indices = indices.filter((index) => {
      const entry = dataset.entries[index];
      if (entry.numSamples !== undefined && entry.numSamples < minSamples) {
        this.skip(entry.path, 'too-short', `manifest size ${entry.numSamples} < ${minSamples} samples`);
        return false;
      }
      if (options.singleLabel && entry.labels.length !== 1) {
        this.skip(
          entry.path,
          'manifest',
          `${entry.labels.length} labels, single-label targets need exactly 1`,
        );
        return false;
      }
      return true;
    });
    indices = shard(indices, options.rank ?? 0, options.worldSize ?? 1);
    if (indices.length === 0) throw new Error('FbankLoader: the dataset has no usable entries');
    this.entries = indices.map((index) => dataset.entries[index]);

    if (options.weights !== undefined) {
      if (options.weights.length !== dataset.entries.length)
        throw new Error(
          `FbankLoader: ${options.weights.length} weights for ${dataset.entries.length} dataset entries`,
        );
      const weights = indices.map((index) => options.weights![index]);
      this.order = weightedOrder(weights, options.samplesPerEpoch ?? weights.length);
    } else if (options.shuffle ?? true) {
      this.order = shuffledOrder(this.entries.length);
    } else {
      const identity = Uint32Array.from(this.entries.keys());
      this.order = () => identity;
    }
    this.state = { ...(options.cursor ?? { seed: options.seed ?? 0, epoch: 0, position: 0 }) };
    new EpochSampler(this.order, this.state); // validates the cursor now rather than mid-training

    const normalize =
      typeof options.normalize === 'string' ? NORMALIZATION_PRESETS[options.normalize] : options.normalize;
    if (typeof options.normalize === 'string' && normalize === undefined)
      throw new Error(`FbankLoader: unknown normalisation preset "${options.normalize}"`);
    this.processOptions = {
      targetLength,
      normalize,
      randomCrop: options.randomCrop,
      rollGain: options.rollGain,
      noise: options.noise,
      minSamples,
      cacheDir: options.cache,
    };
  }

  /** Where the next batch starts: save it with a checkpoint and pass it back as `cursor` to resume. */
  get cursor(): SamplerCursor {
    return { ...this.state };
  }

  /** Entries drawn from (after filters and sharding). */
  get size(): number {
    return this.entries.length;
  }

  report(): LoaderReport {
    const counts: Partial<Record<SkipKind, number>> = {};
    for (const { kind } of this.skipped.values()) counts[kind] = (counts[kind] ?? 0) + 1;
    return {
      clips: this.entries.length,
      delivered: this.delivered,
      skipped: [...this.skipped.values()],
      counts,
      manifestProblems: [...this.manifestProblems],
      cacheHits: this.cacheHits,
    };
  }

  /**
   * The batches from the cursor to the end of its epoch (a cursor at an epoch's end starts the next one).
   * Afterwards the cursor points at the start of the following epoch.
   */
  async *epoch(): AsyncGenerator<FbankBatch> {
    if (this.running) throw new Error('FbankLoader: an epoch is already being iterated');
    this.running = true;
    try {
      yield* this.batches();
    } finally {
      this.running = false;
    }
  }

  /** Terminates the worker threads. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  private async *batches(): AsyncGenerator<FbankBatch> {
    const { batchSize } = this.options;
    let sampler = new EpochSampler(this.order, this.state);
    if (sampler.cursor.position === sampler.epochLength)
      sampler = new EpochSampler(this.order, { ...this.state, epoch: this.state.epoch + 1, position: 0 });
    const { seed, epoch } = sampler.cursor;
    const run = this.runner();
    const capacity = Math.max((this.options.prefetch ?? 2) * batchSize, 2 * this.workerCount);
    const window: { entry: ClipEntry; position: number; settled: Promise<Settled> }[] = [];
    const fill = () => {
      while (window.length < capacity && sampler.cursor.position < sampler.epochLength) {
        const position = sampler.cursor.position;
        const entry = this.entries[sampler.next()];
        const job: ClipJob = { path: entry.path, seed: streamSeed(seed, epoch, position) };
        const settled = run(job).then(
          (result): Settled => ({ result }),
          (error): Settled => ({ error }),
        );
        window.push({ entry, position, settled });
      }
    };
    const skippedBefore = this.skipped.size;
    let epochSkips = 0;
    let batches = 0;
    const clips: { entry: ClipEntry; data: Float32Array }[] = [];
    fill();
    while (window.length > 0) {
      const item = window.shift()!;
      fill();
      const settled = await item.settled;
      if ('error' in settled) throw settled.error;
      const { result } = settled;
      this.state = { seed, epoch, position: item.position + 1 };
      if (!result.ok) {
        this.skip(item.entry.path, result.kind, result.reason);
        epochSkips++;
        continue;
      }
      if (result.cached) this.cacheHits++;
      clips.push({ entry: item.entry, data: result.data });
      if (clips.length === batchSize) {
        batches++;
        yield this.assemble(clips.splice(0), epoch, item.position + 1);
      }
    }
    if (clips.length > 0 && !this.options.dropLast) {
      batches++;
      yield this.assemble(clips, epoch, sampler.epochLength);
    }
    this.state = { seed, epoch: epoch + 1, position: 0 };
    const report = this.report();
    const kinds = Object.entries(report.counts)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    this.log(
      `epoch ${epoch}: ${batches} batches; ${epochSkips} clips skipped (${this.skipped.size - skippedBefore} new files)` +
        (kinds ? `; skipped files so far: ${kinds}` : ''),
    );
  }

  private assemble(
    clips: { entry: ClipEntry; data: Float32Array }[],
    epoch: number,
    end: number,
  ): FbankBatch {
    const size = clips.length;
    this.delivered += size;
    const frames = this.options.targetLength;
    const width = clips[0].data.length;
    const inputs = new Float32Array(size * width);
    for (const [b, clip] of clips.entries()) inputs.set(clip.data, b * width);
    const targets = batchTargets(
      clips.map(({ entry }) => entry),
      this.numClasses,
      { singleLabel: this.options.singleLabel, smoothing: this.options.labelSmoothing },
    );
    const bins = width / frames;
    let mixupLambda = 1;
    if (this.options.mixup || this.options.specAugment) {
      // Keyed by where the batch ends in the order, so a resumed run draws the same augmentations.
      const random = new SeededRandom(streamSeed(this.state.seed, epoch, end, 1));
      if (this.options.mixup) mixupLambda = mixupBatch(inputs, targets, size, this.options.mixup, random);
      if (this.options.specAugment) specAugment(inputs, size, frames, bins, this.options.specAugment, random);
    }
    return {
      inputs,
      targets,
      ids: clips.map(({ entry }) => entry.id),
      paths: clips.map(({ entry }) => entry.path),
      size,
      frames,
      bins,
      numClasses: this.numClasses,
      epoch,
      mixupLambda,
    };
  }

  /** Runs clip jobs on the worker pool, or in this thread when there are no workers or no worker script. */
  private runner(): (job: ClipJob) => Promise<ClipResult> {
    const workers = this.workerCount;
    if (!this.pool && !this.inProcess) {
      const script = this.options.workerScript ?? defaultWorkerScript;
      const scriptPath = script instanceof URL ? fileURLToPath(script) : script;
      if (workers > 0 && existsSync(scriptPath)) {
        this.pool = new ClipWorkerPool(workers, this.processOptions, script);
      } else {
        if (workers > 0)
          this.log(
            `FbankLoader: no worker script at ${scriptPath} (running from sources?); decoding in-process`,
          );
        this.inProcess = true;
      }
    }
    const pool = this.pool;
    return pool ? (job) => pool.run(job) : (job) => processClip(job, this.processOptions);
  }

  private skip(path: string, kind: SkipKind, reason: string): void {
    if (this.skipped.has(path)) return;
    this.skipped.set(path, { path, kind, reason });
    this.log(`skipped ${path}: ${reason}`);
  }
}
