/** WAV encoding: float samples to a RIFF/WAVE file, 16-bit PCM or 32-bit float. No Node APIs. */

/** How samples are stored: `int16` signed 16-bit PCM, `float32` 32-bit IEEE float. */
export type WavSampleFormat = 'int16' | 'float32';

export interface EncodeWavOptions {
  /** Default `int16`, what most tools read and the reference's datasets hold. */
  sampleFormat?: WavSampleFormat;
}

const FORMAT_TAG: Record<WavSampleFormat, number> = { int16: 1, float32: 3 }; // PCM, IEEE float
const BYTES_PER_SAMPLE: Record<WavSampleFormat, number> = { int16: 2, float32: 4 };
const HEADER_BYTES = 44;
/** The RIFF size field (32 bits) counts everything after its own 8 bytes. */
const MAX_DATA_BYTES = 0xffffffff - (HEADER_BYTES - 8);

/**
 * Encodes float samples (nominally in [-1, 1]) as a WAV file: one `Float32Array` for mono, or one per channel
 * (interleaved in the file). The header is the canonical 44 bytes (a 16-byte `fmt ` chunk, then `data`).
 *
 * `int16` rounds each sample to the nearest step of 1/32768 (the scale soundfile and `decodeWav` read back, so
 * samples already on that grid round-trip exactly) and clips what lies outside [-1, 32767/32768]. `float32`
 * stores the samples bit for bit. The same input always gives the same bytes.
 *
 * @throws RangeError or TypeError starting with `encodeWav:` for no channels, channels of different lengths,
 * a sample rate that is not a whole number of Hz, a NaN or infinite sample (naming its channel and index),
 * an unknown sample format, or more data than a RIFF file can hold (4 GiB).
 */
export function encodeWav(
  samples: Float32Array | readonly Float32Array[],
  sampleRate: number,
  options: EncodeWavOptions = {},
): Uint8Array {
  const sampleFormat = options.sampleFormat ?? 'int16';
  if (sampleFormat !== 'int16' && sampleFormat !== 'float32') {
    throw new TypeError(`encodeWav: sampleFormat must be 'int16' or 'float32', got ${String(sampleFormat)}`);
  }
  const bytesPerSample = BYTES_PER_SAMPLE[sampleFormat];
  const channels = samples instanceof Float32Array ? [samples] : samples;
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new TypeError('encodeWav: expected a Float32Array or a non-empty array of them (one per channel)');
  }
  channels.forEach((channel, c) => {
    if (!(channel instanceof Float32Array)) {
      throw new TypeError(`encodeWav: channel ${c} is not a Float32Array`);
    }
    if (channel.length !== channels[0].length) {
      throw new RangeError(
        `encodeWav: channel ${c} has ${channel.length} samples, channel 0 has ${channels[0].length}`,
      );
    }
  });
  const blockAlign = channels.length * bytesPerSample;
  if (blockAlign > 0xffff) {
    throw new RangeError(
      `encodeWav: ${channels.length} channels do not fit a WAV header's 16-bit block size`,
    );
  }
  if (!(Number.isInteger(sampleRate) && sampleRate > 0 && sampleRate * blockAlign <= 0xffffffff)) {
    throw new RangeError(`encodeWav: the sample rate must be a whole number of Hz > 0, got ${sampleRate}`);
  }
  const frames = channels[0].length;
  const dataBytes = frames * blockAlign;
  if (dataBytes > MAX_DATA_BYTES) {
    throw new RangeError(`encodeWav: ${dataBytes} bytes of samples exceed a RIFF file's 4 GiB`);
  }

  const bytes = new Uint8Array(HEADER_BYTES + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, HEADER_BYTES - 8 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_TAG[sampleFormat], true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, 8 * bytesPerSample, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);

  for (let c = 0; c < channels.length; c++) {
    const channel = channels[c];
    for (let i = 0, offset = HEADER_BYTES + c * bytesPerSample; i < frames; i++, offset += blockAlign) {
      const x = channel[i];
      // A NaN has no PCM value and decoders refuse non-finite float data: fail here, where the cause is known.
      if (!Number.isFinite(x)) throw new RangeError(`encodeWav: sample ${i} of channel ${c} is ${x}`);
      if (sampleFormat === 'float32') view.setFloat32(offset, x, true);
      else view.setInt16(offset, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
    }
  }
  return bytes;
}
