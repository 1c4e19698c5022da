export interface PlotSeries {
  name: string;
  /** (step, value) pairs; non-finite values break the line. */
  points: ReadonlyArray<readonly [number, number]>;
}

/** One chart with its own y axis; all panels share the step axis. */
export interface PlotPanel {
  title: string;
  series: PlotSeries[];
}

export interface PlotOptions {
  width?: number;
  panelHeight?: number;
  xLabel?: string;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const MARGIN = { left: 72, right: 36, top: 30, bottom: 46 };
const CHAR_WIDTH = 7; // approximate width of an 11px sans-serif character, for spacing legend entries

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round tick positions (1, 2 or 5 × 10ᵏ apart) covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const spacing = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let i = Math.floor(lo / spacing); i * spacing <= hi + spacing * 1e-9; i++) {
    // i·spacing rather than repeated addition, so 0.30000000000000004 does not creep in.
    ticks.push(Number((i * spacing).toPrecision(12)));
  }
  if (ticks[ticks.length - 1] < hi) ticks.push(Number((ticks[ticks.length - 1] + spacing).toPrecision(12)));
  return ticks;
}

function tickLabel(value: number, spacing: number): string {
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-4)) return value.toExponential(1);
  return value.toFixed(Math.max(0, -Math.floor(Math.log10(spacing) + 1e-9)));
}

function finitePoints(panels: PlotPanel[]): Array<readonly [number, number]> {
  return panels
    .flatMap((p) => p.series.flatMap((s) => s.points))
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
}

/**
 * Renders panels of line series over steps as a standalone SVG document: per panel a frame, grid, ticks and
 * labels on both axes, a title and a legend.
 */
export function renderTrainingPlot(panels: PlotPanel[], options: PlotOptions = {}): string {
  const width = options.width ?? 800;
  const panelHeight = options.panelHeight ?? 260;
  const xLabel = options.xLabel ?? 'step';
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = panelHeight - MARGIN.top - MARGIN.bottom;
  const all = finitePoints(panels);
  const xs = all.map(([x]) => x);
  const xTicks = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1);
  const [x0, x1] = [xTicks[0], xTicks[xTicks.length - 1]];
  const xPixel = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${panelHeight * panels.length}" ` +
      `viewBox="0 0 ${width} ${panelHeight * panels.length}" font-family="sans-serif" font-size="11">`,
    `<rect x="0" y="0" width="${width}" height="${panelHeight * panels.length}" fill="white"/>`,
  ];
  panels.forEach((panel, index) => {
    const top = index * panelHeight + MARGIN.top;
    const bottom = top + plotHeight;
    const ys = finitePoints([panel]).map(([, y]) => y);
    const yTicks = niceTicks(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1);
    const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
    const yPixel = (y: number) => bottom - ((y - y0) / (y1 - y0)) * plotHeight;
    const fmt = (v: number) => v.toFixed(2);
    parts.push(`<g class="panel">`);
    parts.push(
      `<text x="${MARGIN.left}" y="${top - 10}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
    for (const tick of yTicks) {
      const y = fmt(yPixel(tick));
      parts.push(
        `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#e5e5e5"/>`,
      );
      parts.push(
        `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickLabel(tick, yTicks[1] - yTicks[0])}</text>`,
      );
    }
    for (const tick of xTicks) {
      const x = fmt(xPixel(tick));
      parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#e5e5e5"/>`);
      parts.push(
        `<text x="${x}" y="${bottom + 16}" text-anchor="middle">${tickLabel(tick, xTicks[1] - xTicks[0])}</text>`,
      );
    }
    parts.push(
      `<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="black"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left + plotWidth / 2}" y="${bottom + 36}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    );
    panel.series.forEach((series, s) => {
      const color = COLORS[s % COLORS.length];
      for (const run of finiteRuns(series.points)) {
        const coords = run.map(([x, y]) => `${fmt(xPixel(x))},${fmt(yPixel(y))}`);
        if (run.length === 1) {
          const [cx, cy] = coords[0].split(',');
          parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`);
        } else {
          parts.push(
            `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${coords.join(' ')}"/>`,
          );
        }
      }
    });
    if (ys.length === 0) {
      parts.push(
        `<text x="${MARGIN.left + plotWidth / 2}" y="${(top + bottom) / 2}" text-anchor="middle" fill="#888">no data</text>`,
      );
    }
    // Legend in the top margin, right-aligned, one entry after the other, so it never hides a line.
    let legendX = MARGIN.left + plotWidth;
    for (let s = panel.series.length - 1; s >= 0; s--) {
      const name = panel.series[s].name;
      legendX -= 34 + CHAR_WIDTH * name.length;
      const color = COLORS[s % COLORS.length];
      const y = top - 14;
      parts.push(
        `<line x1="${fmt(legendX)}" y1="${y}" x2="${fmt(legendX + 18)}" y2="${y}" stroke="${color}" stroke-width="2"/>`,
      );
      parts.push(
        `<text x="${fmt(legendX + 22)}" y="${y}" dominant-baseline="middle">${escapeXml(name)}</text>`,
      );
    }
    parts.push('</g>');
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function finiteRuns(
  points: ReadonlyArray<readonly [number, number]>,
): Array<Array<readonly [number, number]>> {
  const runs: Array<Array<readonly [number, number]>> = [[]];
  for (const point of points) {
    if (Number.isFinite(point[0]) && Number.isFinite(point[1])) runs[runs.length - 1].push(point);
    else if (runs[runs.length - 1].length > 0) runs.push([]);
  }
  return runs.filter((run) => run.length > 0);
}

/**
 * Panels built from metric records (JSONL lines): for each layout entry, one series per key, taking the records
 * that have a numeric `stepKey` and that key.
 */
export function panelsFromRecords(
  records: ReadonlyArray<Record<string, unknown>>,
  layout: ReadonlyArray<{ title: string; keys: string[] }>,
  stepKey = 'step',
): PlotPanel[] {
  return layout.map(({ title, keys }) => ({
    title,
    series: keys.map((key) => ({
      name: key,
      points: records
        .filter((r) => typeof r[stepKey] === 'number' && typeof r[key] === 'number')
        .map((r) => [r[stepKey] as number, r[key] as number] as const),
    })),
  }));
}
