import { backend as activeBackend, env, ready, setBackend } from '@tensorflow/tfjs-core';
// Registers the 'cpu' backend.
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGradients } from './gradients.js';
import { registerWasmTrainingKernels } from './kernels/register.js';
import { isInstalled, nodeWasmDirectory } from './wasm-paths.js';

/** A backend to ask for: 'tensorflow' is tfjs-node, 'tensorflow-gpu' is tfjs-node-gpu. */
export type BackendRequest = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface PrepareBackendOptions {
  /** Default 'auto': tfjs-node-gpu with a visible GPU, else tfjs-node, else wasm. */
  backend?: BackendRequest;
  /**
   * Threads of the wasm backend. Only its multi-threaded build uses them (browsers with cross-origin
   * isolation); in Node the single-threaded SIMD build runs, because the threaded one does not start.
   */
  threads?: number;
  /**
   * Browsers: where tfjs-backend-wasm's `.wasm` files are served, as a URL prefix ending in '/' or a
   * map from file name to URL. Node finds the installed files itself.
   */
  wasmPaths?: string | Record<string, string>;
  /** Receives one line per decision (default: silent). */
  log?: (message: string) => void;
}

export interface PreparedBackend {
  /** The tfjs backend now active: 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  /** Why this backend, in one sentence. */
  reason: string;
}

const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
const INSTALL_TFJS_NODE = `npm install ${TFJS_NODE}@4.22`;
// tfjs-node-gpu 4.x links TensorFlow 2.9's GPU build: its README asks for these exact versions.
const INSTALL_TFJS_NODE_GPU =
  `npm install ${TFJS_NODE_GPU}@4.22 (Linux or Windows x64 with an NVIDIA GPU; needs NVIDIA driver >= 450, ` +
  'CUDA Toolkit 11.2 and cuDNN 8.1)';

function isNode(): boolean {
  return env().getBool('IS_NODE');
}

/** Activates a backend that is registered, or throws. */
async function activate(name: string): Promise<void> {
  if (!(await setBackend(name))) throw new Error(`the tfjs '${name}' backend failed to initialise`);
  await ready();
}

/** Loads tfjs-node (or -gpu) and activates its 'tensorflow' backend; returns whether it sees a GPU. */
async function activateTensorflow(packageName: string): Promise<boolean> {
  await import(/* @vite-ignore */ packageName);
  await activate('tensorflow');
  return (activeBackend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
}

async function activateWasm(options: PrepareBackendOptions): Promise<void> {
  registerWasmTrainingKernels();
  if (isNode()) {
    // The threaded build's worker does not start under Node; the SIMD build does.
    env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(await nodeWasmDirectory());
  } else if (options.wasmPaths != null) {
    setWasmPaths(options.wasmPaths);
  }
  if (options.threads != null) {
    if (isNode())
      options.log?.(`wasm: threads=${options.threads} ignored in Node (single-threaded SIMD build)`);
    else setThreadsCount(options.threads);
  }
  await activate('wasm');
}

async function requireTensorflow(packageName: string, install: string): Promise<void> {
  if (!isNode()) throw new Error(`${packageName} runs in Node only`);
  if (!(await isInstalled(packageName))) {
    throw new Error(`${packageName} is not installed; install it with: ${install}`);
  }
}

/** 'auto': the fastest backend that is installed and works here, and why. */
async function prepareAuto(options: PrepareBackendOptions): Promise<PreparedBackend> {
  const notes: string[] = [];
  if (isNode()) {
    for (const packageName of [TFJS_NODE_GPU, TFJS_NODE]) {
      if (!(await isInstalled(packageName))) {
        notes.push(`${packageName} is not installed`);
        continue;
      }
      try {
        const gpu = await activateTensorflow(packageName);
        if (packageName === TFJS_NODE) {
          return { name: 'tensorflow', reason: `${TFJS_NODE} is installed: native TensorFlow on the CPU` };
        }
        // Both packages register the same 'tensorflow' backend, so the GPU build stays in use without a
        // GPU: it is then the same native TensorFlow CPU code as tfjs-node.
        return {
          name: 'tensorflow',
          reason: gpu
            ? `${TFJS_NODE_GPU} is installed and TensorFlow sees a GPU`
            : `${TFJS_NODE_GPU} is installed but TensorFlow sees no GPU: native TensorFlow on the CPU`,
        };
      } catch (error) {
        notes.push(`${packageName} failed to load (${(error as Error).message})`);
      }
    }
  } else {
    notes.push('tfjs-node needs Node');
  }
  await activateWasm(options);
  return { name: 'wasm', reason: `${notes.join('; ')}: wasm (XNNPACK, SIMD) with CAT's training kernels` };
}

/**
 * Picks, initialises and activates the tfjs backend, registering what training needs: the wasm
 * training kernels and, when loadable, tfjs-core's gradients. Safe to call repeatedly.
 */
export async function prepareBackend(options: PrepareBackendOptions = {}): Promise<PreparedBackend> {
  const request = options.backend ?? 'auto';
  let prepared: PreparedBackend;
  switch (request) {
    case 'auto':
      prepared = await prepareAuto(options);
      break;
    case 'tensorflow-gpu': {
      await requireTensorflow(TFJS_NODE_GPU, INSTALL_TFJS_NODE_GPU);
      const gpu = await activateTensorflow(TFJS_NODE_GPU);
      prepared = {
        name: 'tensorflow',
        reason: gpu
          ? `asked for ${TFJS_NODE_GPU}; TensorFlow sees a GPU`
          : `asked for ${TFJS_NODE_GPU}, but TensorFlow sees no GPU (check CUDA 11.2 / cuDNN 8.1): running on the CPU`,
      };
      break;
    }
    case 'tensorflow':
      await requireTensorflow(TFJS_NODE, INSTALL_TFJS_NODE);
      await activateTensorflow(TFJS_NODE);
      prepared = { name: 'tensorflow', reason: `asked for ${TFJS_NODE}` };
      break;
    case 'wasm':
      await activateWasm(options);
      prepared = { name: 'wasm', reason: "asked for wasm (XNNPACK, SIMD) with CAT's training kernels" };
      break;
    case 'cpu':
      await activate('cpu');
      prepared = { name: 'cpu', reason: 'asked for the pure-JavaScript cpu backend' };
      break;
    default:
      throw new Error(
        `unknown backend '${request as string}': expected auto, tensorflow-gpu, tensorflow, wasm or cpu`,
      );
  }
  if (!(await loadGradients())) {
    options.log?.('tfjs gradients are not registered (install @tensorflow/tfjs@4.22 to train)');
  }
  options.log?.(`backend ${prepared.name}: ${prepared.reason}`);
  return prepared;
}
