import * as tf from '@tensorflow/tfjs-core';

/** τ rises linearly from `start` to `end` over `steps` optimizer steps, then stays at `end` (reference §7.1). */
export interface EmaSchedule {
  start: number;
  end: number;
  steps: number;
}

/** The reference base recipe: 0.9998 → 0.99999 over 100k updates (large: 150k). */
export const REFERENCE_EMA_SCHEDULE: EmaSchedule = { start: 0.9998, end: 0.99999, steps: 100_000 };

/** The teacher's decay at a given optimizer step. */
export function emaDecay(step: number, schedule: EmaSchedule): number {
  const { start, end, steps } = schedule;
  if (step >= steps) return end;
  return end - (end - start) * (1 - step / steps);
}

/**
 * The EMA teacher's update: θ̄ ← τ θ̄ + (1 − τ) θ for each (teacher, student) variable pair, in float32 and
 * without gradients. The teacher's variables must never be handed to the optimizer.
 */
export class EmaUpdater {
  private readonly pairs: [tf.Variable, tf.Variable][];

  constructor(
    teacher: tf.Variable[],
    student: tf.Variable[],
    readonly schedule: EmaSchedule = REFERENCE_EMA_SCHEDULE,
  ) {
    if (teacher.length !== student.length) {
      throw new Error(
        `EmaUpdater: the teacher has ${teacher.length} variables, the student ${student.length}`,
      );
    }
    this.pairs = teacher.map((t, i) => {
      const s = student[i];
      if (!tf.util.arraysEqual(t.shape, s.shape)) {
        throw new Error(
          `EmaUpdater: variable ${i} (${t.name} / ${s.name}) has shape [${t.shape}] vs [${s.shape}]`,
        );
      }
      return [t, s];
    });
  }

  /** Copy the student into the teacher (the start of training). */
  copyStudent(): void {
    tf.tidy(() => {
      for (const [t, s] of this.pairs) t.assign(s);
    });
  }

  /** Apply one update for the given step; returns the τ used. */
  update(step: number): number {
    const tau = emaDecay(step, this.schedule);
    tf.tidy(() => {
      const keep = tf.scalar(tau);
      const take = tf.scalar(1 - tau);
      for (const [t, s] of this.pairs) t.assign(tf.add(tf.mul(t, keep), tf.mul(s, take)));
    });
    return tau;
  }
}
