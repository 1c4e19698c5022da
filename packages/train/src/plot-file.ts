import { writeFileAtomic } from '@cat/frontend/node';
import { type PlotOptions, type PlotPanel, renderTrainingPlot } from './plot.js';

/** Renders and atomically replaces the plot at `path`, so a viewer never sees a half-written file. */
export function writeTrainingPlot(path: string, panels: PlotPanel[], options?: PlotOptions): Promise<number> {
  return writeFileAtomic(path, renderTrainingPlot(panels, options));
}
