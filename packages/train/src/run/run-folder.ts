import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '@cat/frontend/node';
import { CheckpointDirectory } from '../checkpoints.js';
import { JsonlWriter, readJsonl } from '../jsonl.js';
import { panelsFromRecords } from '../plot.js';
import { writeTrainingPlot } from '../plot-file.js';
import type { Recipe } from '../recipe.js';

export interface PlotLayout {
  title: string;
  keys: string[];
}

/**
 * A run's folder: the resolved recipe (`config.json`), metrics (`metrics.jsonl`, one object per line), a plot of
 * them (`plot.svg`), and crash-safe checkpoints (`checkpoints/step-N/`).
 */
export class RunFolder {
  readonly checkpoints: CheckpointDirectory;
  private readonly metricsLog: JsonlWriter;

  private constructor(
    readonly out: string,
    readonly recipe: Recipe,
    bestMetric: string | undefined,
  ) {
    const { keepLast, keepBest } = recipe.checkpoint;
    this.checkpoints = new CheckpointDirectory(join(out, 'checkpoints'), {
      keepLast,
      keepBest: bestMetric ? keepBest : 0,
      bestMetric,
      bestMode: 'max',
    });
    this.metricsLog = new JsonlWriter(join(out, 'metrics.jsonl'));
  }

  /** Create (or reopen, to resume) the run folder of a recipe and save its resolved configuration. */
  static async open(recipe: Recipe, options: { bestMetric?: string } = {}): Promise<RunFolder> {
    const out = recipe.checkpoint.out;
    await mkdir(out, { recursive: true });
    await writeJsonAtomic(join(out, 'config.json'), recipe);
    return new RunFolder(out, recipe, options.bestMetric);
  }

  /** Whether the folder already holds metrics from an earlier (interrupted) run. */
  static hasHistory(out: string): boolean {
    return existsSync(join(out, 'metrics.jsonl'));
  }

  metrics(record: Record<string, unknown>): void {
    this.metricsLog.append(record);
  }

  /** Records logged so far (for plots and summaries). */
  history(): Record<string, unknown>[] {
    return readJsonl(join(this.out, 'metrics.jsonl'));
  }

  /** Redraw `plot.svg` from the metrics logged so far. */
  async plot(layout: PlotLayout[]): Promise<string> {
    const path = join(this.out, 'plot.svg');
    await writeTrainingPlot(path, panelsFromRecords(this.history(), layout), { xLabel: 'step' });
    return path;
  }

  close(): void {
    this.metricsLog.close();
  }
}
