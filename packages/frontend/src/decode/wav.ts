import { AudioDecodeError, type DecodedAudio } from './decoded-audio.js';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Names of common WAV codecs we do not decode, so the error can say what the file is. */
const UNSUPPORTED_FORMAT_TAGS: Record<number, string> = {
  2: 'Microsoft ADPCM',
  6: 'A-law',
  7: 'mu-law',
  17: 'IMA ADPCM',
  49: 'GSM 6.10',
  64: 'G.721 ADPCM',
  80: 'MPEG',
  85: 'MPEG Layer 3',
};

/** Bytes 2..15 of the KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT GUIDs (bytes 0..1 hold the format tag). */
const SUBFORMAT_GUID_TAIL = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

interface WavFormat {
  kind: 'int' | 'float';
  channels: number;
  sampleRate: number;
  /** Bytes per sample in the container (24-bit samples padded to 32 bits read as 32-bit). */
  bytesPerSample: number;
  blockAlign: number;
}

type SampleReader = (view: DataView, offset: number) => number;

/**
 * Integer scaling follows libsndfile's int→float conversion (what `soundfile.read(..., dtype="float32")`
 * returns): divide by 2^(bits−1), unsigned 8-bit is centred at 128.
 */
const READERS: Record<string, SampleReader> = {
  int1: (view, offset) => (view.getUint8(offset) - 128) / 128,
  int2: (view, offset) => view.getInt16(offset, true) / 32768,
  int3: (view, offset) =>
    (((view.getUint8(offset + 2) << 24) >> 8) | (view.getUint8(offset + 1) << 8) | view.getUint8(offset)) /
    8388608,
  int4: (view, offset) => view.getInt32(offset, true) / 2147483648,
  float4: (view, offset) => view.getFloat32(offset, true),
  float8: (view, offset) => view.getFloat64(offset, true),
};

function formatTagName(tag: number): string {
  const hex = `0x${tag.toString(16).padStart(4, '0')}`;
  return UNSUPPORTED_FORMAT_TAGS[tag]
    ? `${UNSUPPORTED_FORMAT_TAGS[tag]} (format tag ${hex})`
    : `format tag ${hex}`;
}

function parseFmt(view: DataView, offset: number, size: number, fail: (problem: string) => never): WavFormat {
  if (size < 16) fail(`fmt chunk is ${size} bytes, needs at least 16`);
  let tag = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) fail(`WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes, needs 40`);
    const guid = offset + 24;
    if (SUBFORMAT_GUID_TAIL.some((b, i) => view.getUint8(guid + 2 + i) !== b)) {
      fail(
        'WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format GUID (only PCM and IEEE float are supported)',
      );
    }
    tag = view.getUint16(guid, true);
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    fail(`unsupported WAV codec ${formatTagName(tag)}; only PCM and IEEE float are supported`);
  }
  if (channels === 0) fail('the fmt chunk declares 0 channels');
  if (sampleRate === 0) fail('the fmt chunk declares a sample rate of 0 Hz');
  const kind = tag === WAVE_FORMAT_PCM ? 'int' : 'float';
  const bytesPerSample = blockAlign / channels;
  const reader = READERS[`${kind}${bytesPerSample}`];
  if (!Number.isInteger(bytesPerSample) || !reader) {
    fail(
      `unsupported ${kind === 'int' ? 'PCM' : 'float'} layout: ${bitsPerSample} bits per sample, block align ${blockAlign} for ${channels} channel(s)`,
    );
  }
  return { kind, channels, sampleRate, bytesPerSample, blockAlign };
}

/**
 * Decodes a RIFF/RF64 WAV file synchronously: PCM unsigned 8 and signed 16/24/32-bit, IEEE float 32/64-bit,
 * plain or WAVE_FORMAT_EXTENSIBLE. Unknown chunks (LIST, fact, cue...) are skipped, honouring the pad byte
 * after odd-sized chunks. All channels are averaged into one.
 *
 * A data chunk that claims more bytes than the file holds (a truncated download, or a streaming writer
 * that never patched the size) is clamped to the complete frames present and reported in `warnings`;
 * a file with no complete frame is an error.
 *
 * @throws AudioDecodeError naming `source` for anything it cannot read.
 */
export function decodeWav(bytes: Uint8Array, source = '<wav bytes>'): DecodedAudio {
  const fail = (problem: string): never => {
    throw new AudioDecodeError(source, problem);
  };
  if (bytes.length === 0) fail('the file is empty');
  if (bytes.length < 12) fail(`truncated: ${bytes.length} bytes is shorter than a RIFF header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riff = String.fromCharCode(...bytes.subarray(0, 4));
  const wave = String.fromCharCode(...bytes.subarray(8, 12));
  if (riff !== 'RIFF' && riff !== 'RF64' && riff !== 'BW64') fail('not a RIFF/WAVE file');
  if (wave !== 'WAVE') fail(`a RIFF file of form type '${wave}', not WAVE`);
  const warnings: string[] = [];

  let format: WavFormat | undefined;
  let dataOffset = -1;
  let dataBytes = 0;
  let ds64DataSize: number | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(offset, offset + 4));
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    const available = bytes.length - body;
    if (id === 'ds64') {
      if (size < 24 || available < 24) fail('truncated ds64 chunk in an RF64 file');
      ds64DataSize = Number(view.getBigUint64(body + 8, true));
    } else if (id === 'fmt ') {
      if (size > available) fail(`truncated: the fmt chunk needs ${size} bytes, ${available} remain`);
      format = parseFmt(view, body, size, fail);
    } else if (id === 'data') {
      // RF64 stores the real size in ds64 and writes 0xFFFFFFFF here.
      const declared = size === 0xffffffff && ds64DataSize !== undefined ? ds64DataSize : size;
      dataOffset = body;
      dataBytes = declared;
      if (declared > available) {
        warnings.push(
          `the data chunk declares ${declared} bytes but only ${available} remain in the file; reading what is there`,
        );
        dataBytes = available;
        break;
      }
    }
    offset = body + size + (size & 1);
  }
  if (!format)
    fail(
      dataOffset < 0
        ? 'truncated or not a WAV: no fmt chunk found'
        : 'no fmt chunk before the end of the file',
    );
  if (dataOffset < 0) fail('truncated: no data chunk found');
  const { channels, sampleRate, blockAlign, bytesPerSample, kind } = format as WavFormat;
  const frames = Math.floor(dataBytes / blockAlign);
  if (frames === 0)
    fail(
      dataBytes === 0
        ? 'the data chunk is empty (no audio frames)'
        : `truncated: the data chunk holds ${dataBytes} bytes, less than one ${blockAlign}-byte frame`,
    );
  if (frames * blockAlign !== dataBytes) {
    warnings.push(
      `the data chunk ends in a partial frame (${dataBytes % blockAlign} of ${blockAlign} bytes); it was dropped`,
    );
  }

  const read = READERS[`${kind}${bytesPerSample}`];
  const samples = new Float32Array(frames);
  for (let frame = 0, position = dataOffset; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++, position += bytesPerSample) {
      const value = read(view, position);
      if (!Number.isFinite(value)) {
        fail(`sample ${frame} of channel ${channel} is ${value}; float WAV data must be finite`);
      }
      sum += value;
    }
    samples[frame] = channels === 1 ? sum : sum / channels;
  }
  return { samples, sampleRate, channels, format: 'wav', warnings };
}
