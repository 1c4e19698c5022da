import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AudioDecodeError, decodeAudio } from '../src/decode/index.js';
import { decodeNpy } from '../src/npy.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./__fixtures__/decode/${name}`, import.meta.url)));

/** soundfile's float32 reading of a fixture, mixed to mono the way the reference does (mean over channels). */
function expectedMono(name: string): Float32Array {
  const { data, shape } = decodeNpy(fixture(name));
  if (shape.length === 1) return data as Float32Array;
  const [frames, channels] = shape;
  const mono = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += data[i * channels + c];
    mono[i] = Math.fround(sum) / channels;
  }
  return mono;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('decodeAudio on lossless fixtures: bit-exact against soundfile.read(dtype="float32")', () => {
  const cases: [file: string, format: string, channels: number][] = [
    ['pcm_u8.wav', 'wav', 1],
    ['pcm_s16.wav', 'wav', 1],
    ['pcm_s24.wav', 'wav', 1],
    ['pcm_s32.wav', 'wav', 1],
    ['float32.wav', 'wav', 1],
    ['float64.wav', 'wav', 1],
    ['extensible_s24.wav', 'wav', 1],
    ['extensible_float32.wav', 'wav', 1],
    ['rf64_s16.wav', 'wav', 1],
    ['stereo_s16.wav', 'wav', 2],
    ['flac_s16.flac', 'flac', 1],
    ['flac_s24.flac', 'flac', 1],
    ['flac_1024_frames.flac', 'flac', 1],
    ['stereo_s16.flac', 'flac', 2],
  ];
  it.each(cases)('%s', async (file, format, channels) => {
    const decoded = await decodeAudio(fixture(file), { source: file });
    expect(decoded).toMatchObject({ format, channels, sampleRate: 16000, warnings: [] });
    expect(maxAbsDiff(decoded.samples, expectedMono(`${file}.expected.npy`))).toBe(0);
  });

  it('keeps both full-scale extremes of the 16-bit file (-1 and 32767/32768)', async () => {
    const { samples } = await decodeAudio(fixture('pcm_s16.wav'));
    expect(samples[10]).toBe(-1);
    expect(samples[11]).toBe(32767 / 32768);
  });
});

describe('decodeAudio on lossy fixtures', () => {
  const source = (name: string) => {
    const { data, shape } = decodeNpy(fixture(name));
    if (shape.length === 1) return data as Float32Array;
    return Float32Array.from({ length: shape[0] }, (_, i) => (data[2 * i] + data[2 * i + 1]) / 2);
  };
  const cases: [
    file: string,
    format: string,
    channels: number,
    source: string,
    vsSoundfile: number,
    vsSource: number,
  ][] = [
    ['vorbis_mono.ogg', 'ogg', 1, 'source_mono.npy', 5e-6, 0.03],
    ['vorbis_stereo.ogg', 'ogg', 2, 'source_stereo.npy', 5e-6, 0.03],
    ['mp3_mono.mp3', 'mp3', 1, 'source_mono.npy', 5e-6, 0.05],
    ['mp3_stereo.mp3', 'mp3', 2, 'source_stereo.npy', 5e-6, 0.05],
  ];
  it.each(cases)(
    '%s matches libsndfile and stays close to its source',
    async (file, format, channels, src, vsSoundfile, vsSource) => {
      const decoded = await decodeAudio(fixture(file));
      expect(decoded).toMatchObject({ format, channels, sampleRate: 16000, warnings: [] });
      expect(decoded.samples.length).toBe(4000);
      // Measured: libvorbis/mpg123 vs libsndfile's builds of them differ by <= 1.1e-6; vs the source
      // signal the codecs' own loss is 0.013-0.023 (Vorbis q6) and 0.024-0.037 (MP3 64-96 kbit/s).
      expect(maxAbsDiff(decoded.samples, expectedMono(`${file}.expected.npy`))).toBeLessThan(vsSoundfile);
      expect(maxAbsDiff(decoded.samples, source(src))).toBeLessThan(vsSource);
    },
  );

  it('recognises MP3 by its frame sync when there is no ID3 tag', async () => {
    const tagged = fixture('mp3_mono.mp3');
    expect(String.fromCharCode(...tagged.subarray(0, 3))).toBe('ID3');
    const tagSize = 10 + ((tagged[6] << 21) | (tagged[7] << 14) | (tagged[8] << 7) | tagged[9]);
    const withTag = await decodeAudio(tagged);
    const withoutTag = await decodeAudio(tagged.slice(tagSize));
    expect(withoutTag).toMatchObject({ format: 'mp3', channels: 1, sampleRate: 16000 });
    expect(withoutTag.samples).toEqual(withTag.samples);
  });

  it('decodes Ogg FLAC (16-bit) to within one quantisation step of its source', async () => {
    const decoded = await decodeAudio(fixture('ogg_flac.oga'));
    expect(decoded).toMatchObject({ format: 'flac', channels: 1, sampleRate: 16000, warnings: [] });
    expect(maxAbsDiff(decoded.samples, source('source_mono.npy'))).toBeLessThanOrEqual(1 / 32768);
  });
});

describe('decodeAudio on truncated compressed files', () => {
  it('keeps the complete FLAC frames of a truncated file and warns with the declared length', async () => {
    const full = fixture('flac_1024_frames.flac');
    // The last ~2 kB hold the four 1024-sample frames (ffmpeg puts 8 kB of padding before them).
    const decoded = await decodeAudio(full.slice(0, full.length - 600), { source: 'cut.flac' });
    const whole = await decodeAudio(full);
    expect(decoded.samples.length % 1024).toBe(0);
    expect(decoded.samples.length).toBeGreaterThan(0);
    expect(decoded.samples.length).toBeLessThan(4000);
    expect(decoded.samples).toEqual(whole.samples.subarray(0, decoded.samples.length));
    expect(decoded.warnings).toEqual([
      `truncated: STREAMINFO declares 4000 samples per channel, only ${decoded.samples.length} could be decoded`,
    ]);
  });

  it('rejects a file cut before its first complete frame', async () => {
    const full = fixture('flac_1024_frames.flac');
    await expect(decodeAudio(full.slice(0, 200), { source: 'cut.flac' })).rejects.toThrow(
      /^cut\.flac: cannot decode audio: no audio could be decoded from this flac file/,
    );
  });
});

describe('decodeAudio errors name the source and the problem', () => {
  const rejects = (bytes: Uint8Array, pattern: RegExp) =>
    expect(decodeAudio(bytes, { source: 'clip.bin' })).rejects.toThrow(pattern);

  it('empty input', () => rejects(new Uint8Array(0), /^clip\.bin: .*empty/));

  it('unknown container, showing its first bytes', () =>
    rejects(
      new TextEncoder().encode('hello world'),
      /clip\.bin: .*unknown container \(first bytes 68 65 6c 6c\)/,
    ));

  it('recognised but unsupported containers', async () => {
    await rejects(new TextEncoder().encode('FORM\0\0\0\x20AIFFCOMM'), /AIFF is not supported/);
    await rejects(new TextEncoder().encode('\0\0\0\x20ftypM4A \0\0\0\0'), /MP4\/M4A is not supported/);
    await rejects(Uint8Array.from([0xff, 0xf1, 0x50, 0x80, 0, 0, 0]), /AAC \(ADTS\) is not supported/);
    const opusPage = new Uint8Array(27 + 1 + 19);
    opusPage.set(new TextEncoder().encode('OggS'), 0);
    opusPage[26] = 1;
    opusPage[27] = 19;
    opusPage.set(new TextEncoder().encode('OpusHead'), 28);
    await rejects(opusPage, /Ogg Opus is not supported/);
  });

  it('a FLAC or MP3 stream with no decodable audio', async () => {
    const garbage = new Uint8Array(4096).fill(0x55);
    garbage.set(new TextEncoder().encode('fLaC'), 0);
    await rejects(garbage, /clip\.bin: cannot decode audio: .*(flac|FLAC)/);
    const mp3 = fixture('mp3_mono.mp3');
    await rejects(
      mp3.slice(0, 300),
      /clip\.bin: cannot decode audio: no audio could be decoded from this mp3 file/,
    );
  });

  it('throws AudioDecodeError with the source and problem as fields', async () => {
    const error = await decodeAudio(new Uint8Array(0), { source: 'a.wav' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudioDecodeError);
    expect(error).toMatchObject({ source: 'a.wav', problem: 'the file is empty' });
  });
});
