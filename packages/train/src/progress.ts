import { formatDuration, formatValue } from './format.js';

/** Where progress goes: `process.stderr` or anything with the same shape. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Step at which training ends. */
  total: number;
  /** Step training starts (or resumes) from; rate and ETA count from here. */
  startStep?: number;
  stream?: ProgressStream;
  /** Seconds between plain lines when the stream is not a terminal; 30 when absent. */
  lineInterval?: number;
  /** Milliseconds clock, for tests. */
  now?: () => number;
}

// Redrawing a terminal line more often than this only costs time.
const REDRAW_MS = 100;

/**
 * Training progress with rate and ETA: a bar redrawn in place on a terminal, plain periodic lines otherwise
 * (log files, CI), so logs are not flooded with carriage returns.
 */
export class ProgressReporter {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly started: number;
  private readonly startStep: number;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private lastLine = '';

  constructor(private readonly options: ProgressOptions) {
    if (!(options.total > 0)) throw new Error(`progress: total must be > 0, got ${options.total}`);
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.startStep = options.startStep ?? 0;
  }

  /** Reports that `step` updates are done, with the latest values to show (loss, lr...). */
  update(step: number, values: Record<string, number> = {}): void {
    const now = this.now();
    const tty = this.stream.isTTY === true;
    const interval = tty ? REDRAW_MS : (this.options.lineInterval ?? 30) * 1000;
    if (now - this.lastWrite < interval && step < this.options.total) return;
    this.lastWrite = now;
    this.lastLine = this.describe(step, values, now, tty);
    this.stream.write(tty ? `\r${this.lastLine}\x1b[K` : `${this.lastLine}\n`);
  }

  /** Ends the terminal line (a no-op for plain lines). */
  finish(): void {
    if (this.stream.isTTY === true && this.lastLine) this.stream.write('\n');
  }

  private describe(step: number, values: Record<string, number>, now: number, tty: boolean): string {
    const { total } = this.options;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? (step - this.startStep) / seconds : Number.NaN;
    const eta = rate > 0 ? (total - step) / rate : Number.NaN;
    const percent = `${((100 * step) / total).toFixed(1)}%`;
    const stats = [
      `${step}/${total}`,
      percent,
      Number.isFinite(rate) ? `${formatValue(rate)} step/s` : '- step/s',
      `ETA ${formatDuration(eta)}`,
      ...Object.entries(values).map(([key, value]) => `${key}=${formatValue(value)}`),
    ].join(' ');
    if (!tty) return `step ${stats}`;
    const columns = this.stream.columns ?? 80;
    const width = Math.max(10, Math.min(30, columns - stats.length - 3));
    const filled = Math.round((width * Math.min(step, total)) / total);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${stats}`.slice(
      0,
      Math.max(columns - 1, 20),
    );
  }
}
