import * as tf from '@tensorflow/tfjs-core';
import type { NamedParameter, ParameterGroup } from './parameters.js';

export interface AdamWOptions {
  /** Decay rates of the first and second moment estimates; the reference uses (0.9, 0.95). */
  betas?: [number, number];
  eps?: number;
}

/** One parameter's optimizer state, as torch.optim.AdamW keeps it (`step`, `exp_avg`, `exp_avg_sq`). */
export interface AdamWParameterState {
  name: string;
  shape: number[];
  step: number;
  m: Float32Array;
  v: Float32Array;
}

/** Optimizer state as plain arrays, for checkpoints; only parameters that have taken a step are listed. */
export interface AdamWState {
  parameters: AdamWParameterState[];
}

interface Slot {
  param: NamedParameter;
  weightDecay: number;
  lrScale: number;
  step: number;
  m: tf.Variable | null;
  v: tf.Variable | null;
}

/**
 * AdamW with decoupled weight decay, step for step the update of torch.optim.AdamW:
 * `p ← p·(1 − lr·wd)`, then the Adam step with bias correction `p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)`.
 * Each group's learning rate is the scheduled one times its `lrScale`. Each parameter counts its own steps, so a
 * parameter without a gradient in some step is skipped exactly as PyTorch skips a `None` grad.
 */
export class AdamW {
  private readonly slots: Slot[] = [];
  private readonly byVariable = new Map<string, Slot>();
  private readonly byName = new Map<string, Slot>();
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;

  constructor(groups: readonly ParameterGroup[], options: AdamWOptions = {}) {
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    for (const beta of [this.beta1, this.beta2]) {
      if (!(beta >= 0 && beta < 1)) throw new Error(`AdamW: betas must be in [0, 1), got ${beta}`);
    }
    if (!(this.eps >= 0)) throw new Error(`AdamW: eps must be >= 0, got ${this.eps}`);
    for (const group of groups) {
      for (const param of group.params) {
        if (this.byName.has(param.name))
          throw new Error(`AdamW: parameter ${param.name} is in more than one group`);
        const slot: Slot = {
          param,
          weightDecay: group.weightDecay,
          lrScale: group.lrScale ?? 1,
          step: 0,
          m: null,
          v: null,
        };
        this.slots.push(slot);
        this.byName.set(param.name, slot);
        this.byVariable.set(param.variable.name, slot);
      }
    }
  }

  /**
   * One update with the scheduled learning rate `lr`. `grads` is keyed by variable name, as `tf.variableGrads`
   * returns them; the caller keeps ownership. Parameters missing from `grads` are left alone.
   */
  step(grads: tf.NamedTensorMap, lr: number): void {
    if (!(Number.isFinite(lr) && lr >= 0))
      throw new Error(`AdamW: learning rate must be finite and >= 0, got ${lr}`);
    const active: Array<[Slot, tf.Tensor]> = [];
    for (const [variableName, grad] of Object.entries(grads)) {
      const slot = this.byVariable.get(variableName);
      if (!slot)
        throw new Error(`AdamW: got a gradient for variable ${variableName}, which is in no parameter group`);
      if (!tf.util.arraysEqual(grad.shape, slot.param.variable.shape)) {
        throw new Error(
          `AdamW: gradient of ${slot.param.name} has shape [${grad.shape}], parameter has [${slot.param.variable.shape}]`,
        );
      }
      if (!slot.m) {
        slot.m = zeroState(slot.param.variable);
        slot.v = zeroState(slot.param.variable);
      }
      active.push([slot, grad]);
    }
    const { beta1, beta2, eps } = this;
    // One tidy per parameter: the temporaries of a single parameter are alive at a time, not the whole model's
    // (a ViT-B update would otherwise hold ~13 model-sized temporaries at once, beyond the 4 GB wasm heap).
    for (const [slot, grad] of active) {
      tf.tidy(() => {
        slot.step += 1;
        const groupLr = lr * slot.lrScale;
        const stepSize = groupLr / (1 - beta1 ** slot.step);
        const correction2Sqrt = Math.sqrt(1 - beta2 ** slot.step);
        const m = tf.add(tf.mul(slot.m!, beta1), tf.mul(grad, 1 - beta1));
        const v = tf.add(tf.mul(slot.v!, beta2), tf.mul(tf.square(grad), 1 - beta2));
        const denominator = tf.add(tf.div(tf.sqrt(v), correction2Sqrt), eps);
        const decayed = tf.mul(slot.param.variable, 1 - groupLr * slot.weightDecay);
        slot.param.variable.assign(tf.add(decayed, tf.mul(tf.div(m, denominator), -stepSize)));
        slot.m!.assign(m);
        slot.v!.assign(v);
      });
    }
  }

  /** The state of every parameter that has taken a step (reads the moments back from the backend). */
  async exportState(): Promise<AdamWState> {
    const parameters: AdamWParameterState[] = [];
    for (const slot of this.slots) {
      if (!slot.m || !slot.v) continue;
      parameters.push({
        name: slot.param.name,
        shape: [...slot.param.variable.shape],
        step: slot.step,
        m: (await slot.m.data()) as Float32Array,
        v: (await slot.v.data()) as Float32Array,
      });
    }
    return { parameters };
  }

  /** Restores an exported state, so training resumes exactly; parameters absent from it start afresh. */
  importState(state: AdamWState): void {
    for (const entry of state.parameters) {
      const slot = this.byName.get(entry.name);
      if (!slot) throw new Error(`AdamW state: parameter ${entry.name} is not in this optimizer`);
      const shape = slot.param.variable.shape;
      const size = tf.util.sizeFromShape(shape);
      if (!tf.util.arraysEqual(entry.shape, shape) || entry.m.length !== size || entry.v.length !== size) {
        throw new Error(`AdamW state: ${entry.name} has shape [${entry.shape}], parameter has [${shape}]`);
      }
      if (!(Number.isInteger(entry.step) && entry.step > 0)) {
        throw new Error(`AdamW state: ${entry.name} has step ${entry.step}, expected a positive integer`);
      }
    }
    for (const slot of this.slots) this.disposeSlot(slot);
    for (const entry of state.parameters) {
      const slot = this.byName.get(entry.name)!;
      slot.step = entry.step;
      slot.m = stateVariable(entry.m, entry.shape);
      slot.v = stateVariable(entry.v, entry.shape);
    }
  }

  /** Frees the moment estimates. */
  dispose(): void {
    for (const slot of this.slots) this.disposeSlot(slot);
  }

  private disposeSlot(slot: Slot): void {
    slot.m?.dispose();
    slot.v?.dispose();
    slot.m = null;
    slot.v = null;
    slot.step = 0;
  }
}

// Made inside tidy so the initial-value tensor is freed and only the variable stays.
function zeroState(like: tf.Variable): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zerosLike(like), false));
}

function stateVariable(values: Float32Array, shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), false));
}
