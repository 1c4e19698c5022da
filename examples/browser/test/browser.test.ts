import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CAT_FBANK_OPTIONS,
  type Fbank,
  kaldiFbank,
  NORMALIZATION_PRESETS,
  normalizeFbank,
  referenceFbank,
} from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';
import {
  checkpointTensors,
  createEncoder,
  FeatureExtractor,
  prepareBackend,
  writeSafetensors,
} from '@cat/layers';
import { AudioClassifier } from '@cat/train';
import { classifierFileBytes } from '@cat/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Plain JavaScript build and server scripts, typed by their JSDoc.
import { buildPage } from '../scripts/build.mjs';
import { startServer } from '../scripts/serve.mjs';
// The page's own cosine (pinned to known values in analysis.test.ts), applied here to Node's embeddings.
import { cosine } from '../src/analysis.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `examples/browser: ${CHROMIUM} is missing, so the end-to-end browser tests are skipped ` +
      "(install Debian's chromium package: apt-get install chromium; never a downloaded browser)",
  );
}

const WAV = fileURLToPath(new URL('../assets/guit_harmonics_16k.wav', import.meta.url));
const WINDOW = 256;

/** What the page exposes after an analysis, as plain arrays. */
interface PageResult {
  status: string;
  statusText: string;
  frames: number;
  bins: number;
  fbank: number[];
  starts: number[];
  cls: number[][];
  scores: number[][] | null;
  similarity: number[];
  low: number;
  high: number;
  untrained: boolean;
  model: string;
  backend: string;
  canvas: { width: number; height: number; rgba: number[] };
  labelsText: string;
}

/** Waits until the page finished (or failed) an analysis started after `last` was cleared. */
async function pageResult(page: Page): Promise<PageResult> {
  await page.waitForFunction(
    () =>
      document.body.dataset.status === 'error' ||
      (window.catDemo.last && document.body.dataset.status === 'done'),
    null,
    { timeout: 60_000 },
  );
  return page.evaluate(() => {
    const last = window.catDemo.last;
    const canvas = document.getElementById('spectrogram') as HTMLCanvasElement;
    const rgba = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    return {
      status: document.body.dataset.status ?? '',
      statusText: document.getElementById('status')!.textContent ?? '',
      frames: last?.fbank.frames ?? 0,
      bins: last?.fbank.bins ?? 0,
      fbank: last ? Array.from(last.fbank.data) : [],
      starts: last?.starts ?? [],
      cls: last ? last.cls.map((row) => Array.from(row)) : [],
      scores: last?.scores ? last.scores.map((row) => Array.from(row)) : null,
      similarity: last?.similarity ?? [],
      low: last?.spectrogram.low ?? 0,
      high: last?.spectrogram.high ?? 0,
      untrained: last?.untrained ?? false,
      model: last?.model ?? '',
      backend: last?.backend ?? '',
      canvas: { width: canvas.width, height: canvas.height, rgba: Array.from(rgba) },
      labelsText: document.getElementById('labels')!.textContent ?? '',
    };
  });
}

/** Sets a file input after clearing the last result, then waits for the page to finish. */
async function upload(page: Page, selector: string, file: string): Promise<PageResult> {
  await page.evaluate(() => {
    window.catDemo.last = null;
  });
  await page.setInputFiles(selector, file);
  return pageResult(page);
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Pearson correlation. */
function correlation(x: number[], y: number[]): number {
  const mean = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** The model input of frames [start, start + WINDOW), written out independently of the page's code. */
function nodeWindow(fbank: Fbank, start: number): Float32Array {
  const data = new Float32Array(WINDOW * fbank.bins);
  const end = Math.min(fbank.frames, start + WINDOW);
  data.set(fbank.data.subarray(start * fbank.bins, end * fbank.bins));
  return normalizeFbank({ data, frames: WINDOW, bins: fbank.bins }, NORMALIZATION_PRESETS.audioset).data;
}

describe.skipIf(!hasChromium)('the browser page (headless Chromium)', () => {
  let server: { url: string; close: () => Promise<void> };
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let work: string;
  /** The Node reference: the same file through kaldiFbank directly. */
  let nodeFbank: Fbank;
  const pageErrors: string[] = [];
  /** The first test's embeddings (cat-tiny, seed 0). */
  let firstCls: number[][] = [];

  beforeAll(async () => {
    await buildPage();
    server = await startServer({ port: 0 });
    profile = await mkdtemp(join(tmpdir(), 'cat-browser-profile-'));
    work = await mkdtemp(join(tmpdir(), 'cat-browser-files-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // A synthetic microphone (no device, no permission prompt) for the live test.
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}?window=${WINDOW}`);
    await page.evaluate(() => window.catDemo.ready);

    await prepareBackend({ backend: 'wasm' });
    const audio = await readAudioFile(WAV);
    expect(audio.sampleRate).toBe(16000);
    // The reference subtracts the clip's float32 mean before the fbank.
    let sum = 0;
    for (const x of audio.samples) sum += x;
    const mean = Math.fround(sum / audio.samples.length);
    nodeFbank = kaldiFbank(
      audio.samples.map((x) => x - mean),
      CAT_FBANK_OPTIONS,
    );
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('computes the fbank, draws it and embeds each window as Node does', async () => {
    const result = await upload(page, '#audio-file', WAV);
    expect(result.status, result.statusText).toBe('done');
    expect(result.backend).toMatch(/^wasm/);

    // The fbank: 3.53 s → 351 frames of 128 bins, equal to Node's kaldiFbank.
    expect([result.frames, result.bins]).toEqual([nodeFbank.frames, 128]);
    expect(result.frames).toBe(351);
    expect(maxAbsDifference(result.fbank, nodeFbank.data)).toBeLessThan(1e-4);

    // The spectrogram: one pixel per frame and bin, brightness following the log-mel value.
    expect([result.canvas.width, result.canvas.height]).toEqual([351, 128]);
    expect(result.high).toBeCloseTo(Math.max(...nodeFbank.data), 4);
    const luma: number[] = [];
    const level: number[] = [];
    for (let t = 0; t < nodeFbank.frames; t++) {
      for (let f = 0; f < 128; f++) {
        const at = ((127 - f) * result.canvas.width + t) * 4;
        const [r, g, b] = result.canvas.rgba.slice(at, at + 3);
        luma.push(0.2126 * r + 0.7152 * g + 0.0722 * b);
        const v = nodeFbank.data[t * 128 + f];
        level.push(Math.min(1, Math.max(0, (v - result.low) / (result.high - result.low))));
      }
    }
    expect(new Set(luma.map(Math.round)).size).toBeGreaterThan(100);
    expect(correlation(luma, level)).toBeGreaterThan(0.98);

    // Windows of 256 frames with hop 128: [0, 256) and [128, 384) zero-padded.
    expect(result.starts).toEqual([0, 128]);
    firstCls = result.cls;
    expect(result.untrained).toBe(true);
    expect(result.model).toContain('UNTRAINED');
    const extractor = new FeatureExtractor({ model: 'cat-tiny', seed: 0 });
    try {
      // Window 0 is exactly the reference input with target_length 256.
      const reference = referenceFbank((await readAudioFile(WAV)).samples, 16000, {
        targetLength: WINDOW,
        normalize: NORMALIZATION_PRESETS.audioset,
      });
      expect(maxAbsDifference(nodeWindow(nodeFbank, 0), reference.data)).toBeLessThan(1e-4);
      const node = result.starts.map(
        (start) => extractor.embed(nodeWindow(nodeFbank, start), 'utterance').data,
      );
      for (const [w, row] of node.entries()) {
        expect(row.length).toBe(192);
        expect(maxAbsDifference(result.cls[w], row)).toBeLessThan(1e-4);
      }
      expect(result.similarity).toHaveLength(1);
      expect(result.similarity[0]).toBeCloseTo(cosine(node[0], node[1]), 5);
    } finally {
      extractor.dispose();
    }
    expect(pageErrors).toEqual([]);
  });

  it("shows a fine-tuned checkpoint's top labels, with its scores equal to Node's", async () => {
    const classes = ['harmonics', 'speech', 'drums', 'silence'];
    const classifier = new AudioClassifier({ model: 'cat-tiny', numClasses: classes.length, seed: 5 });
    try {
      const file = join(work, 'tiny-finetuned.safetensors');
      await writeFile(file, classifierFileBytes(classifier, { keys: classes, names: classes }));
      // The audio is still loaded: the new model re-runs it.
      const result = await upload(page, '#weights-file', file);
      expect(result.status, result.statusText).toBe('done');
      expect(result.untrained).toBe(false);
      expect(result.model).toContain('tiny-finetuned.safetensors: fine-tuned');
      expect(result.scores).toHaveLength(2);
      for (const [w, start] of result.starts.entries()) {
        const node = tf.tidy(() =>
          tf
            .sigmoid(classifier.logits(tf.tensor3d(nodeWindow(nodeFbank, start), [1, WINDOW, 128])))
            .dataSync(),
        );
        expect(maxAbsDifference(result.scores![w], node)).toBeLessThan(1e-5);
      }
      // The table names the best class of each window first.
      const best = result.scores!.map((scores) => classes[scores.indexOf(Math.max(...scores))]);
      for (const name of best) expect(result.labelsText).toContain(`${name} (`);
    } finally {
      classifier.dispose();
    }
  });

  it("embeds with a pre-training checkpoint's student, its model recognised from the shapes", async () => {
    const encoder = createEncoder('cat-tiny', 7);
    const file = join(work, 'tiny-pretrained.safetensors');
    try {
      // No metadata: the page has to tell cat-tiny from the tensors' names and shapes.
      await writeFile(file, writeSafetensors(checkpointTensors({ encoder }, 'pretraining')));
    } finally {
      encoder.dispose();
    }
    const result = await upload(page, '#weights-file', file);
    expect(result.status, result.statusText).toBe('done');
    expect(result.model).toBe(
      "tiny-pretrained.safetensors: cat-tiny (from the checkpoint's shapes), pre-trained student",
    );
    expect(result.untrained).toBe(false);
    const extractor = new FeatureExtractor({ model: 'cat-tiny', seed: 7 });
    try {
      for (const [w, start] of result.starts.entries()) {
        const node = extractor.embed(nodeWindow(nodeFbank, start), 'utterance').data;
        expect(maxAbsDifference(result.cls[w], node)).toBeLessThan(1e-4);
      }
    } finally {
      extractor.dispose();
    }
    await page.evaluate(() => {
      window.catDemo.last = null;
    });
    await page.click('#random-init');
    // The seeded init again: the same weights, so the same embeddings as in the first test.
    const back = await pageResult(page);
    expect(back.untrained).toBe(true);
    expect(back.cls).toEqual(firstCls);
  });

  it('names the file when it is not audio or not a checkpoint', async () => {
    const notAudio = join(work, 'notes.txt');
    await writeFile(notAudio, 'these are not audio samples');
    const audio = await upload(page, '#audio-file', notAudio);
    expect(audio.status).toBe('error');
    expect(audio.statusText).toContain('notes.txt');

    const notWeights = await upload(page, '#weights-file', WAV);
    expect(notWeights.status).toBe('error');
    expect(notWeights.statusText).toContain('guit_harmonics_16k.wav');
  });

  it('listens to the (synthetic) microphone and embeds successive windows', async () => {
    await page.goto(`${server.url}?window=128`);
    await page.evaluate(() => window.catDemo.ready);
    await page.click('#mic');
    await page.waitForFunction(
      () => window.catDemo.liveWindows >= 2 || document.body.dataset.status === 'error',
      null,
      {
        timeout: 30_000,
      },
    );
    const live = await page.evaluate(() => {
      const last = window.catDemo.last!;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of last.fbank.data) max = Math.max(max, v);
      return {
        status: document.getElementById('status')!.textContent,
        frames: last.fbank.frames,
        max,
        rows: last.cls.length,
        dims: last.cls[0].length,
        similarity: last.similarity,
        sampleRate: last.sampleRate,
      };
    });
    await page.click('#mic');
    expect(live.status).toMatch(/^listening/);
    expect(live.frames).toBeGreaterThan(50);
    // Chromium's fake device plays beeps: well above the silence floor log(eps) = -15.94.
    expect(live.max).toBeGreaterThan(-10);
    expect(live.rows).toBeGreaterThanOrEqual(2);
    expect(live.dims).toBe(192);
    expect(live.similarity).toHaveLength(live.rows - 1);
    for (const s of live.similarity) expect(Math.abs(s)).toBeLessThanOrEqual(1 + 1e-6);
    expect(pageErrors).toEqual([]);
  });
});
