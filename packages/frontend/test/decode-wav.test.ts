import { describe, expect, it } from 'vitest';
import { AudioDecodeError, decodeAudio, decodeWav } from '../src/decode/index.js';

/** Builds a little-endian RIFF/WAVE file from chunks, adding the pad byte after odd-sized bodies. */
function riffWave(
  chunks: [id: string, body: Uint8Array, declaredSize?: number][],
  form = 'RIFF',
): Uint8Array {
  const parts: number[] = [...ascii(form), 0, 0, 0, 0, ...ascii('WAVE')];
  for (const [id, body, declaredSize] of chunks) {
    parts.push(...ascii(id), ...u32(declaredSize ?? body.length), ...body);
    if (body.length % 2 === 1) parts.push(0);
  }
  const bytes = Uint8Array.from(parts);
  new DataView(bytes.buffer).setUint32(4, bytes.length - 8, true);
  return bytes;
}
const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
const u32 = (value: number) => [
  value & 0xff,
  (value >> 8) & 0xff,
  (value >> 16) & 0xff,
  (value >>> 24) & 0xff,
];

function fmt(tag: number, channels: number, rate: number, bits: number): Uint8Array {
  const body = new DataView(new ArrayBuffer(16));
  const blockAlign = (channels * bits) / 8;
  body.setUint16(0, tag, true);
  body.setUint16(2, channels, true);
  body.setUint32(4, rate, true);
  body.setUint32(8, rate * blockAlign, true);
  body.setUint16(12, blockAlign, true);
  body.setUint16(14, bits, true);
  return new Uint8Array(body.buffer);
}

function samplesBytes(
  values: number[],
  write: (view: DataView, offset: number, value: number) => void,
  size: number,
) {
  const view = new DataView(new ArrayBuffer(values.length * size));
  for (const [i, value] of values.entries()) write(view, i * size, value);
  return new Uint8Array(view.buffer);
}
const int16 = (values: number[]) => samplesBytes(values, (v, o, x) => v.setInt16(o, x, true), 2);
const int24 = (values: number[]) =>
  samplesBytes(
    values,
    (v, o, x) => {
      v.setUint8(o, x & 0xff);
      v.setUint8(o + 1, (x >> 8) & 0xff);
      v.setUint8(o + 2, (x >> 16) & 0xff);
    },
    3,
  );
const int32 = (values: number[]) => samplesBytes(values, (v, o, x) => v.setInt32(o, x, true), 4);
const float32 = (values: number[]) => samplesBytes(values, (v, o, x) => v.setFloat32(o, x, true), 4);
const float64 = (values: number[]) => samplesBytes(values, (v, o, x) => v.setFloat64(o, x, true), 8);

describe('decodeWav scales integers like libsndfile', () => {
  it('unsigned 8-bit: (b - 128) / 128', () => {
    const wav = riffWave([
      ['fmt ', fmt(1, 1, 8000, 8)],
      ['data', Uint8Array.from([0, 1, 128, 255])],
    ]);
    expect(Array.from(decodeWav(wav).samples)).toEqual([-1, -127 / 128, 0, 127 / 128]);
  });
  it('16-bit: / 32768', () => {
    const wav = riffWave([
      ['fmt ', fmt(1, 1, 8000, 16)],
      ['data', int16([-32768, -1, 0, 1, 32767])],
    ]);
    expect(Array.from(decodeWav(wav).samples)).toEqual([-1, -1 / 32768, 0, 1 / 32768, 32767 / 32768]);
  });
  it('24-bit: / 8388608, sign-extended', () => {
    const wav = riffWave([
      ['fmt ', fmt(1, 1, 8000, 24)],
      ['data', int24([-8388608, -1, 0, 0x123456, 8388607])],
    ]);
    expect(Array.from(decodeWav(wav).samples)).toEqual([
      -1,
      -1 / 8388608,
      0,
      0x123456 / 8388608,
      8388607 / 8388608,
    ]);
  });
  it('32-bit: / 2147483648, rounded to float32', () => {
    const wav = riffWave([
      ['fmt ', fmt(1, 1, 8000, 32)],
      ['data', int32([-2147483648, -1, 2147483647])],
    ]);
    expect(Array.from(decodeWav(wav).samples)).toEqual([-1, Math.fround(-1 / 2147483648), 1]);
  });
  it('32- and 64-bit float pass through (values above 1 are kept)', () => {
    const values = [0.1, -0.7, 1.5];
    const f32 = riffWave([
      ['fmt ', fmt(3, 1, 8000, 32)],
      ['data', float32(values)],
    ]);
    const f64 = riffWave([
      ['fmt ', fmt(3, 1, 8000, 64)],
      ['data', float64(values)],
    ]);
    expect(Array.from(decodeWav(f32).samples)).toEqual(values.map(Math.fround));
    expect(Array.from(decodeWav(f64).samples)).toEqual(values.map(Math.fround));
  });
});

describe('decodeWav chunk handling', () => {
  it('skips LIST and odd-sized chunks (with their pad byte) before and after the data', () => {
    const info = Uint8Array.from([...ascii('INFOISFT'), ...u32(5), ...ascii('sox!!'), 0]);
    const odd = Uint8Array.from([1, 2, 3]);
    const wav = riffWave([
      ['fmt ', fmt(1, 1, 22050, 16)],
      ['LIST', info],
      ['junk', odd],
      ['data', int16([100, -200])],
      ['id3 ', odd],
    ]);
    const decoded = decodeWav(wav, 'odd.wav');
    expect(Array.from(decoded.samples)).toEqual([100 / 32768, -200 / 32768]);
    expect(decoded).toMatchObject({ sampleRate: 22050, channels: 1, format: 'wav', warnings: [] });
  });

  it('mixes channels to mono by averaging them', () => {
    const wav = riffWave([
      ['fmt ', fmt(1, 3, 8000, 16)],
      ['data', int16([3000, 6000, -3000, 100, 200, 300])],
    ]);
    const decoded = decodeWav(wav);
    expect(decoded.channels).toBe(3);
    expect(Array.from(decoded.samples)).toEqual([
      Math.fround(6000 / 3 / 32768),
      Math.fround(600 / 3 / 32768),
    ]);
  });

  it('clamps a data chunk longer than the file to the complete frames present, with a warning', () => {
    const wav = riffWave([
      ['fmt ', fmt(1, 2, 8000, 16)],
      ['data', int16([1, 3, 5, 7, 9, 11]), 4000],
    ]);
    const decoded = decodeWav(wav, 'cut.wav');
    expect(Array.from(decoded.samples)).toEqual([2 / 32768, 6 / 32768, 10 / 32768]);
    expect(decoded.warnings).toEqual([
      'the data chunk declares 4000 bytes but only 12 remain in the file; reading what is there',
    ]);
  });

  it('warns about (and drops) a trailing partial frame', () => {
    const wav = riffWave([
      ['fmt ', fmt(1, 1, 8000, 16)],
      ['data', Uint8Array.from([0, 64, 0, 32, 7])],
    ]);
    const decoded = decodeWav(wav);
    expect(Array.from(decoded.samples)).toEqual([0.5, 0.25]);
    expect(decoded.warnings[0]).toMatch(/partial frame \(1 of 2 bytes\)/);
  });

  it('reads the 64-bit data size of an RF64 file from its ds64 chunk', () => {
    const ds64 = new Uint8Array(28);
    new DataView(ds64.buffer).setBigUint64(8, 6n, true);
    const wav = riffWave(
      [
        ['ds64', ds64],
        ['fmt ', fmt(1, 1, 8000, 16)],
        ['data', int16([1, 2, 3, 4]), 0xffffffff],
      ],
      'RF64',
    );
    const decoded = decodeWav(wav);
    expect(Array.from(decoded.samples)).toEqual([1 / 32768, 2 / 32768, 3 / 32768]);
    expect(decoded.warnings).toEqual([]);
  });
});

describe('decodeWav errors name the source and the problem', () => {
  const throws = (bytes: Uint8Array, pattern: RegExp) => {
    expect(() => decodeWav(bytes, 'bad.wav')).toThrow(AudioDecodeError);
    expect(() => decodeWav(bytes, 'bad.wav')).toThrow(pattern);
  };
  const good = riffWave([
    ['fmt ', fmt(1, 1, 8000, 16)],
    ['data', int16([1, 2, 3, 4])],
  ]);

  it('empty file', () => throws(new Uint8Array(0), /^bad\.wav: cannot decode audio: the file is empty$/));
  it('truncated inside the RIFF header', () => throws(good.slice(0, 8), /bad\.wav: .*truncated: 8 bytes/));
  it('truncated inside the fmt chunk', () =>
    throws(good.slice(0, 30), /bad\.wav: .*truncated: the fmt chunk needs 16 bytes, 10 remain/));
  it('truncated before the data chunk', () =>
    throws(good.slice(0, 36), /bad\.wav: .*truncated: no data chunk/));
  it('a data chunk that lies about its length with not even one frame present', () =>
    throws(
      riffWave([
        ['fmt ', fmt(1, 2, 8000, 16)],
        ['data', Uint8Array.from([1, 2]), 400],
      ]),
      /holds 2 bytes, less than one 4-byte frame/,
    ));
  it('an empty data chunk', () =>
    throws(
      riffWave([
        ['fmt ', fmt(1, 1, 8000, 16)],
        ['data', new Uint8Array(0)],
      ]),
      /data chunk is empty/,
    ));
  it('mu-law, A-law and ADPCM name their format tag', () => {
    throws(
      riffWave([
        ['fmt ', fmt(7, 1, 8000, 8)],
        ['data', new Uint8Array(4)],
      ]),
      /unsupported WAV codec mu-law \(format tag 0x0007\)/,
    );
    throws(
      riffWave([
        ['fmt ', fmt(6, 1, 8000, 8)],
        ['data', new Uint8Array(4)],
      ]),
      /A-law \(format tag 0x0006\)/,
    );
    throws(
      riffWave([
        ['fmt ', fmt(2, 1, 8000, 4)],
        ['data', new Uint8Array(4)],
      ]),
      /Microsoft ADPCM \(format tag 0x0002\)/,
    );
    throws(
      riffWave([
        ['fmt ', fmt(0x1234, 1, 8000, 16)],
        ['data', new Uint8Array(4)],
      ]),
      /unsupported WAV codec format tag 0x1234/,
    );
  });
  it('WAVE_FORMAT_EXTENSIBLE with an unknown sub-format GUID', () => {
    const body = new Uint8Array(40);
    body.set(fmt(0xfffe, 1, 8000, 16));
    body.set(
      [0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71],
      24,
    );
    throws(
      riffWave([
        ['fmt ', body],
        ['data', new Uint8Array(4)],
      ]),
      /mu-law \(format tag 0x0007\)/,
    );
    body[30] = 0x11;
    throws(
      riffWave([
        ['fmt ', body],
        ['data', new Uint8Array(4)],
      ]),
      /non-standard sub-format GUID/,
    );
  });
  it('unsupported bit depth', () =>
    throws(
      riffWave([
        ['fmt ', fmt(3, 1, 8000, 16)],
        ['data', new Uint8Array(4)],
      ]),
      /unsupported float layout: 16 bits/,
    ));
  it('zero channels', () => {
    const body = fmt(1, 1, 8000, 16);
    body[2] = 0;
    throws(
      riffWave([
        ['fmt ', body],
        ['data', new Uint8Array(4)],
      ]),
      /declares 0 channels/,
    );
  });
  it('NaN or infinite float samples, naming the sample', () => {
    throws(
      riffWave([
        ['fmt ', fmt(3, 1, 8000, 32)],
        ['data', float32([0, 0.5, Number.NaN])],
      ]),
      /sample 2 of channel 0 is NaN/,
    );
    throws(
      riffWave([
        ['fmt ', fmt(3, 2, 8000, 64)],
        ['data', float64([0, 0, 0, Number.NEGATIVE_INFINITY])],
      ]),
      /sample 1 of channel 1 is -Infinity/,
    );
  });
  it('not a WAVE file', () => {
    throws(Uint8Array.from(ascii('RIFX\0\0\0\0WAVE')), /not a RIFF\/WAVE file/);
    throws(Uint8Array.from(ascii('RIFF\0\0\0\0AVI LIST')), /a RIFF file of form type 'AVI ', not WAVE/);
  });
  it('decodeAudio reports the same WAV errors', async () => {
    await expect(decodeAudio(good.slice(0, 36), { source: 'x.wav' })).rejects.toThrow(
      /^x\.wav: cannot decode audio: truncated/,
    );
    await expect(decodeAudio(good.slice(0, 6), { source: 'x.wav' })).rejects.toThrow(
      /^x\.wav: .*truncated: 6 bytes/,
    );
  });
});
