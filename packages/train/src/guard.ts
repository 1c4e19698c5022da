/** A loss that became NaN or ±Infinity: training cannot continue from this step. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly value: number,
    readonly what = 'loss',
  ) {
    super(
      `${what} is ${value} at step ${step}: training diverged or got bad input ` +
        '(lower the learning rate, check the batch, or resume from the last checkpoint)',
    );
    this.name = 'NonFiniteLossError';
  }
}

/** Throws `NonFiniteLossError` when `value` (a loss read back from the backend) is NaN or infinite. */
export function assertFiniteLoss(value: number, step: number, what = 'loss'): void {
  if (!Number.isFinite(value)) throw new NonFiniteLossError(step, value, what);
}
