import { decodeAudio, type Fbank, NORMALIZATION_PRESETS } from '@cat/frontend';
import { MODEL_NAMES, type ModelName } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { clipFbank, cosine, FRAMES_PER_SECOND, modelWindow, topK, windowStarts } from './analysis.js';
import { activateBackend, BACKEND_NAMES, type PageBackend } from './backend.js';
import { drawEmbeddings, drawSpectrogram, type SpectrogramImage } from './draw.js';
import { Microphone } from './mic.js';
import { modelFromSafetensors, type PageModel, runWindow, seededModel } from './model.js';

type NormalizationName = keyof typeof NORMALIZATION_PRESETS;

/** Everything one analysis produced; also what the end-to-end test reads (`window.catDemo.last`). */
export interface AnalysisResult {
  source: string;
  sampleRate: number;
  /** The unpadded, unnormalised log-mel fbank of the clip (or of the microphone's recent audio). */
  fbank: Fbank;
  windowFrames: number;
  hopFrames: number;
  /** Start frame of each window in `fbank`. */
  starts: number[];
  cls: Float32Array[];
  scores?: Float32Array[];
  /** Cosine similarity of each window's CLS with the next one's. */
  similarity: number[];
  spectrogram: SpectrogramImage;
  backend: string;
  model: string;
  untrained: boolean;
  milliseconds: { fbank: number; model: number };
}

interface CatDemo {
  /** Resolves when the backend and the default model are ready. */
  ready: Promise<void>;
  last: AnalysisResult | null;
  /** Completed microphone windows since the microphone started. */
  liveWindows: number;
}

declare global {
  interface Window {
    catDemo: CatDemo;
  }
}

const $ = <T extends HTMLElement>(id: string) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page: missing #${id}`);
  return element as T;
};

const ui = {
  audioFile: $<HTMLInputElement>('audio-file'),
  sample: $<HTMLButtonElement>('sample'),
  mic: $<HTMLButtonElement>('mic'),
  model: $<HTMLSelectElement>('model'),
  seed: $<HTMLInputElement>('seed'),
  weightsFile: $<HTMLInputElement>('weights-file'),
  randomInit: $<HTMLButtonElement>('random-init'),
  modelInfo: $<HTMLParagraphElement>('model-info'),
  backend: $<HTMLSelectElement>('backend'),
  window: $<HTMLSelectElement>('window'),
  normalize: $<HTMLSelectElement>('normalize'),
  status: $<HTMLParagraphElement>('status'),
  spectrogram: $<HTMLCanvasElement>('spectrogram'),
  summary: $<HTMLParagraphElement>('summary'),
  labelsView: $<HTMLElement>('labels-view'),
  labels: $<HTMLTableElement>('labels'),
  embeddingView: $<HTMLElement>('embedding-view'),
  embedding: $<HTMLCanvasElement>('embedding'),
  similarity: $<HTMLOListElement>('similarity'),
};

/** Where the model's weights come from, kept so that a backend switch can rebuild it. */
type ModelSource =
  | { kind: 'seeded'; name: ModelName; seed: number }
  | { kind: 'file'; name: string; bytes: Uint8Array };

const state = {
  backend: 'wasm' as PageBackend,
  backendInfo: '',
  source: { kind: 'seeded', name: 'cat-tiny', seed: 0 } as ModelSource,
  model: null as PageModel | null,
  audio: null as { samples: Float32Array; sampleRate: number; name: string } | null,
  microphone: null as Microphone | null,
  /** Bumped by every new request; a running analysis stops when it is no longer the latest. */
  generation: 0,
};

function setStatus(status: 'loading' | 'ready' | 'busy' | 'done' | 'error', text: string): void {
  document.body.dataset.status = status;
  ui.status.textContent = text;
}

function fail(error: unknown): void {
  console.error(error);
  setStatus('error', (error as Error).message ?? String(error));
}

/** Runs `task` after letting the browser paint the status line. */
async function run(status: string, task: () => Promise<void>): Promise<void> {
  setStatus('busy', status);
  await tf.nextFrame();
  try {
    await task();
  } catch (error) {
    fail(error);
  }
}

function options() {
  const windowFrames = Number(ui.window.value);
  return {
    windowFrames,
    hopFrames: windowFrames / 2,
    normalize: NORMALIZATION_PRESETS[ui.normalize.value as NormalizationName],
  };
}

async function audiosetLabels(): Promise<string> {
  const response = await fetch('class_labels_indices.csv');
  if (!response.ok) throw new Error(`class_labels_indices.csv: HTTP ${response.status}`);
  return response.text();
}

/** Builds the model of `source`; the page keeps its current model and source when this fails. */
async function buildModel(source: ModelSource = state.source): Promise<void> {
  const model =
    source.kind === 'seeded'
      ? seededModel(source.name, source.seed)
      : await modelFromSafetensors(source.bytes, source.name, ui.model.value as ModelName, audiosetLabels);
  // Stop a running analysis before its model goes away.
  state.generation++;
  state.model?.dispose();
  state.model = model;
  state.source = source;
  ui.modelInfo.textContent = model.description;
  ui.modelInfo.classList.toggle('untrained', model.untrained);
}

/** The preset and seed chosen on the page. */
function seededSource(): ModelSource {
  const seed = Number(ui.seed.value);
  if (!Number.isInteger(seed) || seed < 0) {
    throw new Error(`init seed: expected a whole number ≥ 0, got "${ui.seed.value}"`);
  }
  return { kind: 'seeded', name: ui.model.value as ModelName, seed };
}

const seconds = (frames: number) => (frames / FRAMES_PER_SECOND).toFixed(2);

function windowName(start: number, windowFrames: number): string {
  return `${seconds(start)}–${seconds(start + windowFrames)} s`;
}

function showResults(result: AnalysisResult): void {
  const labels = state.model?.kind === 'classifier' ? state.model.labels : null;
  ui.labelsView.hidden = !(labels && result.scores);
  ui.embeddingView.hidden = !ui.labelsView.hidden;
  if (labels && result.scores) {
    const body = ui.labels.tBodies[0];
    body.replaceChildren(
      ...result.scores.map((scores, w) => {
        const row = document.createElement('tr');
        const when = document.createElement('td');
        when.textContent = windowName(result.starts[w], result.windowFrames);
        const classes = document.createElement('td');
        classes.textContent = topK(scores, 5)
          .map((k) => `${labels.names[k]} (${scores[k].toFixed(3)})`)
          .join(', ');
        row.append(when, classes);
        return row;
      }),
    );
    return;
  }
  drawEmbeddings(ui.embedding, result.cls);
  ui.similarity.replaceChildren(
    ...result.similarity.map((value, w) => {
      const item = document.createElement('li');
      item.textContent = `${windowName(result.starts[w], result.windowFrames)} → ${windowName(result.starts[w + 1], result.windowFrames)}: ${value.toFixed(4)}`;
      return item;
    }),
  );
  if (result.similarity.length === 0) {
    const item = document.createElement('li');
    item.textContent = 'one window only: choose a shorter window to compare successive ones';
    ui.similarity.replaceChildren(item);
  }
}

/** Computes the fbank of the loaded clip, draws it, and runs the model over its windows. */
async function analyseClip(): Promise<void> {
  const audio = state.audio;
  const model = state.model;
  if (!audio || !model) return;
  const generation = ++state.generation;
  const { windowFrames, hopFrames, normalize } = options();
  setStatus('busy', `${audio.name}: computing the fbank…`);
  await tf.nextFrame();
  let t0 = performance.now();
  const fbank = clipFbank(audio.samples, audio.sampleRate);
  const fbankMs = performance.now() - t0;
  const spectrogram = drawSpectrogram(ui.spectrogram, fbank);
  const starts = windowStarts(fbank.frames, windowFrames, hopFrames);
  ui.summary.textContent =
    `${audio.name}: ${(audio.samples.length / audio.sampleRate).toFixed(2)} s at ${audio.sampleRate} Hz → ` +
    `${fbank.frames} frames × ${fbank.bins} mel bins (fbank ${fbankMs.toFixed(0)} ms); ` +
    `${starts.length} window${starts.length > 1 ? 's' : ''} of ${windowFrames} frames, hop ${hopFrames}.`;
  const cls: Float32Array[] = [];
  const scores: Float32Array[] = [];
  t0 = performance.now();
  for (const [w, start] of starts.entries()) {
    if (generation !== state.generation) return;
    setStatus('busy', `${audio.name}: window ${w + 1} of ${starts.length} on ${state.backendInfo}…`);
    await tf.nextFrame();
    const input = modelWindow(fbank, start, windowFrames, normalize);
    const output = runWindow(model, input.data, windowFrames);
    cls.push(output.cls);
    if (output.scores) scores.push(output.scores);
  }
  const modelMs = performance.now() - t0;
  const result: AnalysisResult = {
    source: audio.name,
    sampleRate: audio.sampleRate,
    fbank,
    windowFrames,
    hopFrames,
    starts,
    cls,
    scores: scores.length > 0 ? scores : undefined,
    similarity: cls.slice(1).map((row, w) => cosine(cls[w], row)),
    spectrogram,
    backend: state.backendInfo,
    model: model.description,
    untrained: model.untrained,
    milliseconds: { fbank: fbankMs, model: modelMs },
  };
  window.catDemo.last = result;
  showResults(result);
  setStatus(
    'done',
    `${audio.name}: ${starts.length} window${starts.length > 1 ? 's' : ''} in ${(modelMs / 1000).toFixed(2)} s on ${state.backendInfo}.`,
  );
}

async function loadAudio(bytes: Uint8Array, name: string): Promise<void> {
  await stopMicrophone();
  const decoded = await decodeAudio(bytes, { source: name });
  state.audio = { samples: decoded.samples, sampleRate: decoded.sampleRate, name };
  await analyseClip();
}

/** The live loop: every hop, the latest window of microphone audio. */
async function microphoneLoop(microphone: Microphone): Promise<void> {
  const cls: Float32Array[] = [];
  const starts: number[] = [];
  window.catDemo.liveWindows = 0;
  // Runs until the microphone stops; a model or option change applies from the next window on.
  while (state.microphone === microphone) {
    const { windowFrames, hopFrames, normalize } = options();
    await new Promise((resolve) => setTimeout(resolve, (hopFrames / FRAMES_PER_SECOND) * 1000));
    if (state.microphone !== microphone || !state.model) return;
    // At least one 25 ms frame is needed; the first windows are zero-padded like a short clip.
    if (microphone.received < microphone.sampleRate * 0.1) continue;
    const fbank = clipFbank(microphone.recent(), microphone.sampleRate);
    const spectrogram = drawSpectrogram(ui.spectrogram, fbank);
    const start = Math.max(0, fbank.frames - windowFrames);
    const t0 = performance.now();
    const output = runWindow(
      state.model,
      modelWindow(fbank, start, windowFrames, normalize).data,
      windowFrames,
    );
    const modelMs = performance.now() - t0;
    // Keep the last 32 windows; start times count from the microphone's start.
    const elapsedFrames = Math.round((microphone.received / microphone.sampleRate) * FRAMES_PER_SECOND);
    cls.push(output.cls);
    starts.push(Math.max(0, elapsedFrames - windowFrames));
    if (cls.length > 32) {
      cls.shift();
      starts.shift();
    }
    window.catDemo.liveWindows++;
    const result: AnalysisResult = {
      source: 'microphone',
      sampleRate: microphone.sampleRate,
      fbank,
      windowFrames,
      hopFrames,
      starts: [...starts],
      cls: [...cls],
      scores: output.scores ? [output.scores] : undefined,
      similarity: cls.slice(1).map((row, w) => cosine(cls[w], row)),
      spectrogram,
      backend: state.backendInfo,
      model: state.model.description,
      untrained: state.model.untrained,
      milliseconds: { fbank: 0, model: modelMs },
    };
    if (result.scores) result.starts = [starts[starts.length - 1]];
    window.catDemo.last = result;
    ui.summary.textContent = `microphone at ${microphone.sampleRate} Hz: the last ${seconds(fbank.frames)} s; one window of ${windowFrames} frames every ${seconds(hopFrames)} s (model ${modelMs.toFixed(0)} ms).`;
    showResults(result);
    setStatus('busy', `listening: ${window.catDemo.liveWindows} windows on ${state.backendInfo}`);
  }
}

async function startMicrophone(): Promise<void> {
  state.generation++; // stops a clip analysis that is still running
  const keepSeconds = Math.max(10, Number(ui.window.value) / FRAMES_PER_SECOND + 0.1);
  const microphone = await Microphone.start(new URL('mic-worklet.js', document.baseURI).href, keepSeconds);
  state.microphone = microphone;
  ui.mic.setAttribute('aria-pressed', 'true');
  ui.mic.textContent = 'Stop microphone';
  setStatus('busy', 'listening…');
  microphoneLoop(microphone).catch(fail);
}

async function stopMicrophone(): Promise<void> {
  const microphone = state.microphone;
  if (!microphone) return;
  state.microphone = null;
  state.generation++;
  ui.mic.setAttribute('aria-pressed', 'false');
  ui.mic.textContent = 'Start microphone';
  await microphone.stop();
  setStatus('done', 'microphone stopped');
}

/** Re-runs whatever is shown after a model or option change. */
async function refresh(): Promise<void> {
  if (state.microphone) return; // the live loop picks the change up at its next window
  if (state.audio) await analyseClip();
  else setStatus('ready', `Ready (${state.backendInfo}): drop a file, pick one, or start the microphone.`);
}

async function readFile(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

function wireControls(): void {
  ui.audioFile.addEventListener('change', () => {
    const file = ui.audioFile.files?.[0];
    if (file) run(`${file.name}: decoding…`, async () => loadAudio(await readFile(file), file.name));
  });
  document.addEventListener('dragover', (event) => {
    event.preventDefault();
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.addEventListener('drop', (event) => {
    event.preventDefault();
    document.body.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) run(`${file.name}: decoding…`, async () => loadAudio(await readFile(file), file.name));
  });
  ui.sample.addEventListener('click', () =>
    run('loading the sample…', async () => {
      const response = await fetch('sample.wav');
      if (!response.ok) throw new Error(`sample.wav: HTTP ${response.status}`);
      await loadAudio(new Uint8Array(await response.arrayBuffer()), 'guit_harmonics_16k.wav (sample)');
    }),
  );
  ui.mic.addEventListener('click', () =>
    run('starting the microphone…', () => (state.microphone ? stopMicrophone() : startMicrophone())),
  );
  const reseed = () =>
    run('building the model…', async () => {
      ui.weightsFile.value = '';
      await buildModel(seededSource());
      await refresh();
    });
  ui.model.addEventListener('change', reseed);
  ui.seed.addEventListener('change', reseed);
  ui.randomInit.addEventListener('click', reseed);
  ui.weightsFile.addEventListener('change', () => {
    const file = ui.weightsFile.files?.[0];
    if (!file) return;
    run(`${file.name}: loading the weights…`, async () => {
      await buildModel({ kind: 'file', name: file.name, bytes: await readFile(file) });
      await refresh();
    });
  });
  ui.backend.addEventListener('change', () =>
    run(`starting the ${ui.backend.value} backend…`, async () => {
      state.backend = ui.backend.value as PageBackend;
      state.backendInfo = await activateBackend(state.backend);
      // Weights live in the backend that created them: build the model again on the new one.
      await buildModel();
      await refresh();
    }),
  );
  ui.window.addEventListener('change', () => run('re-running…', refresh));
  ui.normalize.addEventListener('change', () => run('re-running…', refresh));
}

/** Query parameters preset the controls, e.g. `?backend=webgl&window=256&model=cat-small&seed=3`. */
function applyQuery(): void {
  const query = new URLSearchParams(location.search);
  const pick = (select: HTMLSelectElement, value: string | null, what: string) => {
    if (value === null) return;
    const values = Array.from(select.options, (option) => option.value);
    if (!values.includes(value)) {
      throw new Error(`?${what}=${value}: expected one of ${values.join(', ')}`);
    }
    select.value = value;
  };
  pick(ui.backend, query.get('backend'), 'backend');
  pick(ui.model, query.get('model'), 'model');
  pick(ui.window, query.get('window'), 'window');
  pick(ui.normalize, query.get('normalize'), 'normalize');
  const seed = query.get('seed');
  if (seed !== null) ui.seed.value = seed;
}

async function start(): Promise<void> {
  for (const name of MODEL_NAMES)
    ui.model.append(new Option(name, name, name === 'cat-tiny', name === 'cat-tiny'));
  for (const name of BACKEND_NAMES)
    ui.backend.append(new Option(name, name, name === 'wasm', name === 'wasm'));
  applyQuery();
  wireControls();
  state.backend = ui.backend.value as PageBackend;
  setStatus('loading', `starting the ${state.backend} backend…`);
  state.backendInfo = await activateBackend(state.backend);
  await buildModel(seededSource());
  setStatus('ready', `Ready (${state.backendInfo}): drop a file, pick one, or start the microphone.`);
}

window.catDemo = { ready: Promise.resolve(), last: null, liveWindows: 0 };
window.catDemo.ready = start().catch((error) => {
  fail(error);
  throw error;
});
