import type { Fbank } from '@cat/frontend';

/** Colour stops (t, r, g, b) of a dark-to-bright ramp whose brightness rises with t (magma-like). */
const RAMP: [number, number, number, number][] = [
  [0, 0, 0, 4],
  [0.25, 59, 15, 112],
  [0.5, 140, 41, 129],
  [0.75, 241, 96, 93],
  [1, 252, 253, 191],
];

export function rampColour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t));
  let i = 1;
  while (i < RAMP.length - 1 && x > RAMP[i][0]) i++;
  const [t0, r0, g0, b0] = RAMP[i - 1];
  const [t1, r1, g1, b1] = RAMP[i];
  const f = (x - t0) / (t1 - t0);
  return [r0 + f * (r1 - r0), g0 + f * (g1 - g0), b0 + f * (b1 - b0)];
}

/** The displayed log-mel range: the clip's maximum and 14 natural-log units (about 60 dB) below it. */
export const DISPLAY_RANGE = 14;

export interface SpectrogramImage {
  /** Values at or below `low` are black, `high` is the brightest colour. */
  low: number;
  high: number;
  /** Canvas columns and how many frames each one shows (its maximum). */
  columns: number;
  framesPerColumn: number;
}

/** At most this many columns: longer clips are shown with several frames per column (their maximum). */
const MAX_COLUMNS = 4096;

/**
 * Draws a log-mel spectrogram, one pixel per frame and mel bin (low frequencies at the bottom); the
 * canvas is stretched by CSS.
 */
export function drawSpectrogram(canvas: HTMLCanvasElement, fbank: Fbank): SpectrogramImage {
  const { data, frames, bins } = fbank;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) if (data[i] > high) high = data[i];
  const low = high - DISPLAY_RANGE;
  const framesPerColumn = Math.max(1, Math.ceil(frames / MAX_COLUMNS));
  const columns = Math.max(1, Math.ceil(frames / framesPerColumn));
  canvas.width = columns;
  canvas.height = bins;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('spectrogram: no 2d canvas context');
  const image = context.createImageData(columns, bins);
  for (let column = 0; column < columns; column++) {
    for (let bin = 0; bin < bins; bin++) {
      let value = Number.NEGATIVE_INFINITY;
      const end = Math.min(frames, (column + 1) * framesPerColumn);
      for (let t = column * framesPerColumn; t < end; t++) value = Math.max(value, data[t * bins + bin]);
      const [r, g, b] = rampColour((value - low) / (high - low));
      const at = ((bins - 1 - bin) * columns + column) * 4;
      image.data[at] = r;
      image.data[at + 1] = g;
      image.data[at + 2] = b;
      image.data[at + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  return { low, high, columns, framesPerColumn };
}

/**
 * Draws embeddings as a heat map, one row per window and one column per dimension: blue negative, white
 * zero, red positive, scaled by the largest magnitude.
 */
export function drawEmbeddings(canvas: HTMLCanvasElement, rows: Float32Array[]): number {
  const dims = rows[0]?.length ?? 0;
  canvas.width = Math.max(1, dims);
  canvas.height = Math.max(1, rows.length);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('embedding: no 2d canvas context');
  let scale = 0;
  for (const row of rows) for (const v of row) scale = Math.max(scale, Math.abs(v));
  const image = context.createImageData(canvas.width, canvas.height);
  rows.forEach((row, y) => {
    row.forEach((v, x) => {
      const t = scale > 0 ? v / scale : 0;
      const fade = 255 * (1 - Math.abs(t));
      const at = (y * canvas.width + x) * 4;
      image.data[at] = t >= 0 ? 255 : fade;
      image.data[at + 1] = fade;
      image.data[at + 2] = t <= 0 ? 255 : fade;
      image.data[at + 3] = 255;
    });
  });
  context.putImageData(image, 0, 0);
  return scale;
}
