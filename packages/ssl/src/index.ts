export { type InverseBlockMaskConfig, InverseBlockMasker, type MaskBatch } from './masking.js';
export { EmaUpdater, type EmaSchedule, emaDecay, REFERENCE_EMA_SCHEDULE } from './ema.js';
export { bootstrapTargets } from './targets.js';
export { combineViews, frameLoss, type LossWeighting, scaledSquaredError, utteranceLoss } from './losses.js';
export {
  type BatchInputs,
  type BootstrapConfig,
  BootstrapObjective,
  type LossParts,
  type ObjectiveTerm,
  type TermContext,
} from './objective.js';
export { CollapseMonitor, type CollapseMonitorOptions, embeddingSpread } from './monitor.js';
