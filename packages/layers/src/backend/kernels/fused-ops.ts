import {
  type GradConfig,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  registerGradient,
  type Tensor,
  type TensorInfo,
  engine as tfEngine,
  util,
} from '@tensorflow/tfjs-core';
import { pointer, requireSimd, simd } from './simd-module.js';
import type { WasmBackend } from './wasm-heap.js';

/** Fused exact GELU (one pass instead of five element-wise kernels). */
export const GELU = 'CatGelu';
const GELU_GRAD = 'CatGeluGrad';
/** Fused LayerNorm over the last axis; inputs `{ x, gamma, beta }`, attrs `{ epsilon }`. */
export const LAYER_NORM = 'CatLayerNorm';
/** The same without affine; inputs `{ x }`. */
export const PLAIN_LAYER_NORM = 'CatPlainLayerNorm';
const LAYER_NORM_GRAD = 'CatLayerNormGrad';
/**
 * Column matrix of a grouped k×k convolution (stride 1, zero padding k/2) of x [B, H, W, C], per group:
 * [groups, B·H·W, k·k·C/groups]; attrs `{ kernelSize, groups }`.
 */
export const GROUPED_COLUMNS = 'CatGroupedColumns';
const GROUPED_COLUMNS_GRAD = 'CatGroupedColumnsGrad';

function geluKernel({ inputs, backend }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  const wasm = backend as WasmBackend;
  const y = wasm.makeOutput(x.shape, 'float32');
  requireSimd(wasm).gelu(pointer(wasm, x), pointer(wasm, y), util.sizeFromShape(x.shape));
  return y;
}

function geluGradKernel({ inputs, backend }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const wasm = backend as WasmBackend;
  const dx = wasm.makeOutput(x.shape, 'float32');
  requireSimd(wasm).gelu_grad(
    pointer(wasm, x),
    pointer(wasm, dy),
    pointer(wasm, dx),
    util.sizeFromShape(x.shape),
  );
  return dx;
}

function rowsAndCols(shape: number[]): [number, number] {
  const cols = shape[shape.length - 1];
  return [util.sizeFromShape(shape) / cols, cols];
}

function layerNormKernel({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, gamma, beta } = inputs as { x: TensorInfo; gamma?: TensorInfo; beta?: TensorInfo };
  const { epsilon } = attrs as unknown as { epsilon: number };
  const wasm = backend as WasmBackend;
  const y = wasm.makeOutput(x.shape, 'float32');
  const [rows, cols] = rowsAndCols(x.shape);
  requireSimd(wasm).layer_norm(
    pointer(wasm, x),
    pointer(wasm, gamma),
    pointer(wasm, beta),
    pointer(wasm, y),
    rows,
    cols,
    epsilon,
  );
  return y;
}

function layerNormGradKernel({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo[] {
  const { x, gamma, dy } = inputs as { x: TensorInfo; gamma?: TensorInfo; dy: TensorInfo };
  const { epsilon } = attrs as unknown as { epsilon: number };
  const wasm = backend as WasmBackend;
  const [rows, cols] = rowsAndCols(x.shape);
  const dx = wasm.makeOutput(x.shape, 'float32');
  const dgamma = gamma ? wasm.makeOutput([cols], 'float32') : undefined;
  const dbeta = gamma ? wasm.makeOutput([cols], 'float32') : undefined;
  requireSimd(wasm).layer_norm_grad(
    pointer(wasm, x),
    pointer(wasm, gamma),
    pointer(wasm, dy),
    pointer(wasm, dx),
    pointer(wasm, dgamma),
    pointer(wasm, dbeta),
    rows,
    cols,
    epsilon,
  );
  return dgamma && dbeta ? [dx, dgamma, dbeta] : [dx];
}

interface GroupedColumnsAttrs {
  kernelSize: number;
  groups: number;
}

function groupedColumnsKernel({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  const { kernelSize: k, groups } = attrs as unknown as GroupedColumnsAttrs;
  const wasm = backend as WasmBackend;
  const [b, h, w, c] = x.shape;
  const cols = wasm.makeOutput([groups, b * h * w, (k * k * c) / groups], 'float32');
  requireSimd(wasm).grouped_columns(pointer(wasm, x), pointer(wasm, cols), b, h, w, c, k, groups);
  return cols;
}

function groupedColumnsGradKernel({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
  const { kernelSize: k, groups } = attrs as unknown as GroupedColumnsAttrs;
  const wasm = backend as WasmBackend;
  const [b, h, w, c] = x.shape;
  const dx = wasm.makeOutput(x.shape, 'float32');
  requireSimd(wasm).grouped_columns_grad(pointer(wasm, dy), pointer(wasm, dx), b, h, w, c, k, groups);
  return dx;
}

const kernel = (
  kernelName: string,
  kernelFunc: (args: Parameters<KernelFunc>[0]) => unknown,
): KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: kernelFunc as KernelFunc,
});

export const fusedOpKernelConfigs: KernelConfig[] = [
  kernel(GELU, geluKernel),
  kernel(GELU_GRAD, geluGradKernel),
  kernel(LAYER_NORM, layerNormKernel),
  kernel(PLAIN_LAYER_NORM, layerNormKernel),
  kernel(GROUPED_COLUMNS, groupedColumnsKernel),
  kernel(GROUPED_COLUMNS_GRAD, groupedColumnsGradKernel),
  kernel(LAYER_NORM_GRAD, layerNormGradKernel),
];

const run = (name: string, inputs: Record<string, Tensor>, attrs: NamedAttrMap = {}) =>
  tfEngine().runKernel(name, inputs, attrs);

const gradients: GradConfig[] = [
  {
    kernelName: GELU,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => run(GELU_GRAD, { x: saved[0], dy: dy as Tensor }) as Tensor }),
  },
  {
    kernelName: LAYER_NORM,
    inputsToSave: ['x', 'gamma'],
    gradFunc: (dy, [x, gamma], attrs) => {
      const [dx, dgamma, dbeta] = run(LAYER_NORM_GRAD, { x, gamma, dy: dy as Tensor }, attrs) as Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  },
  {
    kernelName: PLAIN_LAYER_NORM,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const [dx] = run(LAYER_NORM_GRAD, { x, dy: dy as Tensor }, attrs) as Tensor[];
      return { x: () => dx };
    },
  },
  {
    kernelName: GROUPED_COLUMNS,
    // Only x's shape is needed; saving x costs nothing (saved tensors share memory).
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () => run(GROUPED_COLUMNS_GRAD, { dy: dy as Tensor, x }, attrs) as Tensor,
    }),
  },
];
for (const config of gradients) registerGradient(config);

/** Whether the fused kernel `name` runs on the active backend (for a last axis of `cols` values). */
export function hasFusedKernel(name: string, cols = 4): boolean {
  const engine = tfEngine();
  return (
    cols % 4 === 0 &&
    getKernel(name, engine.backendName) != null &&
    simd(engine.backend as unknown as WasmBackend) != null
  );
}
