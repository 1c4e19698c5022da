import { describe, expect, it } from 'vitest';
import { decodeWav } from '../src/decode/index.js';
import { encodeWav } from '../src/wav-encode.js';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const ascii = (bytes: Uint8Array, from: number) => String.fromCharCode(...bytes.subarray(from, from + 4));

/** The header fields a reader looks at, by their offsets in the canonical 44-byte header. */
function header(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    riff: ascii(bytes, 0),
    riffSize: view.getUint32(4, true),
    wave: ascii(bytes, 8),
    fmt: ascii(bytes, 12),
    fmtSize: view.getUint32(16, true),
    formatTag: view.getUint16(20, true),
    channels: view.getUint16(22, true),
    sampleRate: view.getUint32(24, true),
    byteRate: view.getUint32(28, true),
    blockAlign: view.getUint16(32, true),
    bitsPerSample: view.getUint16(34, true),
    data: ascii(bytes, 36),
    dataSize: view.getUint32(40, true),
  };
}

describe('encodeWav, 16-bit PCM', () => {
  it('writes exactly these bytes for a short mono clip', () => {
    // 0.25 → 8192 (0x2000), -1 → -32768 (0x8000), 1.5 clipped to 32767 (0x7fff), little-endian.
    expect(hex(encodeWav(Float32Array.from([0.25, -1, 1.5]), 8000))).toBe(
      `52494646${'2a000000'}57415645` +
        `666d7420${'10000000'}0100${'0100'}${'401f0000'}${'803e0000'}0200${'1000'}` +
        `64617461${'06000000'}${'0020'}${'0080'}${'ff7f'}`,
    );
  });

  it('fills every header field of a mono file', () => {
    const bytes = encodeWav(new Float32Array(1000), 22_050);
    expect(bytes.length).toBe(44 + 2000);
    expect(header(bytes)).toEqual({
      riff: 'RIFF',
      riffSize: 36 + 2000,
      wave: 'WAVE',
      fmt: 'fmt ',
      fmtSize: 16,
      formatTag: 1,
      channels: 1,
      sampleRate: 22_050,
      byteRate: 44_100,
      blockAlign: 2,
      bitsPerSample: 16,
      data: 'data',
      dataSize: 2000,
    });
  });

  it('rounds to the nearest step of 1/32768 and clips out-of-range samples', () => {
    const samples = Float32Array.from([
      0,
      0.5,
      -0.5,
      3 / 32768,
      0.4 / 32768,
      0.6 / 32768,
      -0.6 / 32768,
      1,
      -1,
      1.5,
      -2,
      1e9,
      32767 / 32768,
    ]);
    const bytes = encodeWav(samples, 16_000);
    const view = new DataView(bytes.buffer);
    const ints = Array.from(samples, (_, i) => view.getInt16(44 + 2 * i, true));
    expect(ints).toEqual([0, 16_384, -16_384, 3, 0, 1, -1, 32_767, -32_768, 32_767, -32_768, 32_767, 32_767]);
  });

  it('round-trips through decodeWav: values on the 1/32768 grid exactly, the rest clipped', () => {
    const samples = Float32Array.from([0, 0.5, -0.5, 1 / 32768, -1, 1.5, -2, 0.25, -12_345 / 32768]);
    const decoded = decodeWav(encodeWav(samples, 16_000), 'round-trip.wav');
    expect(decoded.sampleRate).toBe(16_000);
    expect(decoded.channels).toBe(1);
    expect(decoded.warnings).toEqual([]);
    expect(Array.from(decoded.samples)).toEqual([
      0,
      0.5,
      -0.5,
      1 / 32768,
      -1,
      32767 / 32768,
      -1,
      0.25,
      -12_345 / 32768,
    ]);
  });

  it('interleaves channels frame by frame; the decoder reads them back and mixes them to mono', () => {
    const left = Float32Array.from([0.5, -0.25, 0]);
    const right = Float32Array.from([0.25, 0.25, -1]);
    const bytes = encodeWav([left, right], 48_000);
    expect(header(bytes)).toMatchObject({ channels: 2, byteRate: 192_000, blockAlign: 4, dataSize: 12 });
    const view = new DataView(bytes.buffer);
    const ints = Array.from({ length: 6 }, (_, i) => view.getInt16(44 + 2 * i, true));
    expect(ints).toEqual([16_384, 8192, -8192, 8192, 0, -32_768]);
    const decoded = decodeWav(bytes, 'stereo.wav');
    expect(decoded.channels).toBe(2);
    expect(Array.from(decoded.samples)).toEqual([0.375, 0, -0.5]);
  });
});

describe('encodeWav, 32-bit float', () => {
  it('stores the samples bit for bit, out-of-range ones too, and round-trips exactly', () => {
    const samples = Float32Array.from([0, 0.1, -0.7, 1e-7, 1.5, -3]);
    const bytes = encodeWav(samples, 44_100, { sampleFormat: 'float32' });
    expect(header(bytes)).toMatchObject({
      riffSize: 36 + 24,
      formatTag: 3,
      channels: 1,
      byteRate: 176_400,
      blockAlign: 4,
      bitsPerSample: 32,
      dataSize: 24,
    });
    expect(new Float32Array(bytes.slice(44).buffer)).toEqual(samples);
    const decoded = decodeWav(bytes, 'float.wav');
    expect(decoded.sampleRate).toBe(44_100);
    expect(decoded.samples).toEqual(samples);
  });
});

describe('encodeWav input checks', () => {
  const one = new Float32Array(4);

  it('gives the same bytes for the same input, and a header-only file for no samples', () => {
    const samples = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i / 7));
    expect(encodeWav(samples, 16_000)).toEqual(encodeWav(samples.slice(), 16_000));
    const empty = encodeWav(new Float32Array(0), 16_000);
    expect(header(empty)).toMatchObject({ riffSize: 36, dataSize: 0 });
    expect(empty.length).toBe(44);
  });

  it('names what is wrong', () => {
    expect(() => encodeWav([], 16_000)).toThrow(/^encodeWav: expected a Float32Array or a non-empty array/);
    expect(() => encodeWav([one, new Float32Array(3)], 16_000)).toThrow(
      'encodeWav: channel 1 has 3 samples, channel 0 has 4',
    );
    expect(() => encodeWav([one, [0, 0, 0, 0] as unknown as Float32Array], 16_000)).toThrow(
      'encodeWav: channel 1 is not a Float32Array',
    );
    expect(() => encodeWav(Float64Array.from([0]) as unknown as Float32Array, 16_000)).toThrow(
      /^encodeWav: expected a Float32Array/,
    );
    for (const rate of [0, -16_000, 44_100.5, Number.NaN]) {
      expect(() => encodeWav(one, rate)).toThrow(
        `encodeWav: the sample rate must be a whole number of Hz > 0, got ${rate}`,
      );
    }
    expect(() => encodeWav(one, 16_000, { sampleFormat: 'int24' as 'int16' })).toThrow(
      "encodeWav: sampleFormat must be 'int16' or 'float32', got int24",
    );
  });

  it('refuses NaN and infinite samples in either format, naming the channel and the index', () => {
    const bad = Float32Array.from([0, 0, Number.NaN]);
    expect(() => encodeWav([new Float32Array(3), bad], 16_000)).toThrow(
      'encodeWav: sample 2 of channel 1 is NaN',
    );
    expect(() =>
      encodeWav(Float32Array.from([Number.NEGATIVE_INFINITY]), 16_000, { sampleFormat: 'float32' }),
    ).toThrow('encodeWav: sample 0 of channel 0 is -Infinity');
  });
});
