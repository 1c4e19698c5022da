import type { backend_util } from '@tensorflow/tfjs-core';

/**
 * The column matrix of a channels-last convolution: one row per output position
 * (`batch * outHeight * outWidth` rows), holding that position's receptive field laid out like the
 * filter (`filterHeight * filterWidth * inChannels` values). A convolution is `cols @ filter`, so its
 * backward passes are matmuls against this matrix.
 */
export function columnShape(info: backend_util.Conv2DInfo): [number, number] {
  return [
    info.batchSize * info.outHeight * info.outWidth,
    info.filterHeight * info.filterWidth * info.inChannels,
  ];
}

/** Whether the column matrix is the input itself (1x1 filter, stride 1, no padding). */
export function columnsAreInput(info: backend_util.Conv2DInfo): boolean {
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  return (
    filterHeight === 1 &&
    filterWidth === 1 &&
    strideHeight === 1 &&
    strideWidth === 1 &&
    padInfo.top === 0 &&
    padInfo.left === 0
  );
}

/**
 * Walks the column matrix as contiguous runs: `visit(columnOffset, inputOffset, length)` where the run
 * is `length` consecutive values in both, or `inputOffset` is -1 for zero padding.
 */
function forEachRun(
  info: backend_util.Conv2DInfo,
  visit: (columnOffset: number, inputOffset: number, length: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const rowRun = filterWidth * inChannels;
  let column = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let i = 0; i < filterHeight; i++, column += rowRun) {
          const h = oh * strideHeight + i * dilationHeight - top;
          if (h < 0 || h >= inHeight) {
            visit(column, -1, rowRun);
            continue;
          }
          const rowStart = (n * inHeight + h) * inWidth;
          const w0 = ow * strideWidth - left;
          if (dilationWidth === 1) {
            // One run for the in-bounds columns, padding runs on either side.
            const first = Math.min(filterWidth, Math.max(0, -w0));
            const end = Math.max(first, Math.min(filterWidth, inWidth - w0));
            if (first > 0) visit(column, -1, first * inChannels);
            if (end > first) {
              visit(
                column + first * inChannels,
                (rowStart + w0 + first) * inChannels,
                (end - first) * inChannels,
              );
            }
            if (end < filterWidth) visit(column + end * inChannels, -1, (filterWidth - end) * inChannels);
            continue;
          }
          for (let j = 0; j < filterWidth; j++) {
            const w = w0 + j * dilationWidth;
            const inside = w >= 0 && w < inWidth;
            visit(column + j * inChannels, inside ? (rowStart + w) * inChannels : -1, inChannels);
          }
        }
      }
    }
  }
}

/** Fills `columns` (see `columnShape`) from the input `x` [batch, inHeight, inWidth, inChannels]. */
export function im2col(x: Float32Array, info: backend_util.Conv2DInfo, columns: Float32Array): void {
  forEachRun(info, (columnOffset, inputOffset, length) => {
    if (inputOffset < 0) columns.fill(0, columnOffset, columnOffset + length);
    else columns.set(x.subarray(inputOffset, inputOffset + length), columnOffset);
  });
}

/** Adds every column-matrix value back onto the input position it came from (`dx` starts zeroed). */
export function col2imAdd(columns: Float32Array, info: backend_util.Conv2DInfo, dx: Float32Array): void {
  forEachRun(info, (columnOffset, inputOffset, length) => {
    if (inputOffset < 0) return;
    for (let q = 0; q < length; q++) dx[inputOffset + q] += columns[columnOffset + q];
  });
}
