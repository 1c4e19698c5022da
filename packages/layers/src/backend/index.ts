export { hasGradients, loadGradients, requireGradients } from './gradients.js';
export { registerWasmTrainingKernels, wasmTrainingKernelNames } from './kernels/register.js';
export { type MatmulCeiling, type MatmulCeilingOptions, measureMatmulCeiling } from './matmul-ceiling.js';
export {
  type BackendRequest,
  type PrepareBackendOptions,
  type PreparedBackend,
  prepareBackend,
} from './prepare-backend.js';
