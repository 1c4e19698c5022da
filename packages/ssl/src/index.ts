export { type EmaSchedule, EmaUpdater, emaDecay, REFERENCE_EMA_SCHEDULE } from './ema.js';
export { combineViews, frameLoss, type LossWeighting, scaledSquaredError, utteranceLoss } from './losses.js';
export { type InverseBlockMaskConfig, InverseBlockMasker, type MaskBatch } from './masking.js';
export { CollapseMonitor, type CollapseMonitorOptions, embeddingSpread } from './monitor.js';
export {
  type BatchInputs,
  type BootstrapConfig,
  BootstrapObjective,
  type LossParts,
  type ObjectiveTerm,
  type TermContext,
} from './objective.js';
export { bootstrapTargets } from './targets.js';
