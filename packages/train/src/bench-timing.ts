import * as tf from '@tensorflow/tfjs-core';

/** What a step benchmark measures besides its own throughput. */
export interface StepTimes {
  /** Median seconds of the timed steps. */
  secondsPerStep: number;
  /** Peak tfjs bytes in use on this thread, over every step where `notePeak` was called. */
  peakBytes: number;
  /** Live tensors after the last step minus before the first timed one (0: no leak). */
  leakedTensors: number;
}

/**
 * The timing the step benchmarks share: `warmup` untimed steps, then `reps` timed ones. A benchmark runs
 * `for (let i = 0; i < timing.steps; i++)` with `begin(i)` first, `notePeak()` where memory is highest and
 * `end()` once the step's results are on the host; `result()` at the end. (A loop object rather than a function
 * taking the step, so that synchronous and asynchronous steps share it.)
 */
export class StepTiming {
  readonly steps: number;
  private readonly times: number[] = [];
  private peakBytes = 0;
  private tensorsBefore = 0;
  private step = 0;
  private started = 0;

  constructor(
    private readonly warmup: number,
    reps: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.steps = warmup + reps;
  }

  begin(step: number): void {
    if (step === this.warmup) this.tensorsBefore = tf.memory().numTensors;
    this.step = step;
    this.started = this.now();
  }

  notePeak(): void {
    this.peakBytes = Math.max(this.peakBytes, tf.memory().numBytes);
  }

  end(): void {
    if (this.step >= this.warmup) this.times.push((this.now() - this.started) / 1000);
  }

  result(): StepTimes {
    const leakedTensors = tf.memory().numTensors - this.tensorsBefore;
    const sorted = [...this.times].sort((a, b) => a - b);
    return {
      secondsPerStep: sorted[Math.floor(sorted.length / 2)],
      peakBytes: this.peakBytes,
      leakedTensors,
    };
  }
}
