import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../src/npy.js';

describe('npy', () => {
  it('reads a numpy-written float32 fixture straight from a Node Buffer', () => {
    const path = join(__dirname, '__fixtures__/audio/audioset_clip_32k.fbank.npy');
    const array = decodeNpy(readFileSync(path), path);
    expect(array.shape).toEqual([998, 128]);
    expect(array.dtype).toBe('float32');
    // Silence floors at log(float32 epsilon); real frames lie well above it.
    expect(Math.min(...array.data.subarray(0, 128 * 10))).toBeGreaterThan(-16);
    expect(Number.isFinite(array.data[array.data.length - 1])).toBe(true);
  });

  it('round trips every dtype and 1-D and 3-D shapes with the 64-byte aligned header', () => {
    const cases = [
      [Float32Array.of(1.5, -2, 3), [3]],
      [Float64Array.of(Math.PI, Math.E), [2]],
      [Int32Array.from({ length: 24 }, (_, i) => i - 12), [2, 3, 4]],
    ] as const;
    for (const [data, shape] of cases) {
      const bytes = encodeNpy(data, [...shape]);
      expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0);
      const back = decodeNpy(bytes);
      expect(back.shape).toEqual(shape);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  it('names the source when a file is not .npy, truncated or of an unsupported dtype', () => {
    expect(() => decodeNpy(new Uint8Array(20), 'x.npy')).toThrow(/x\.npy: .*magic/);
    const bytes = encodeNpy(Float32Array.of(1, 2, 3, 4), [4]);
    expect(() => decodeNpy(bytes.subarray(0, bytes.length - 4), 'cut.npy')).toThrow(/cut\.npy: .*truncated/);
    const text = new TextDecoder('latin1').decode(bytes).replace("'<f4'", "'<c8'");
    const complex = Uint8Array.from(text, (c) => c.charCodeAt(0));
    expect(() => decodeNpy(complex, 'c.npy')).toThrow(/unsupported dtype <c8/);
  });
});
