import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { AudioDecodeError, type AudioFormat, averageChannels, type DecodedAudio } from './decoded-audio.js';
import { mpegChannelCount } from './mpeg-header.js';

/** The common shape of the wasm-audio-decoders results. */
interface WasmDecoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string; frameNumber?: number }[];
}

/** Runs one wasm decoder over a whole file, always freeing its wasm memory. */
async function runDecoder(
  decoder: { ready: Promise<void>; free: () => void },
  decode: () => WasmDecoded | Promise<WasmDecoded>,
): Promise<WasmDecoded> {
  try {
    await decoder.ready;
    return await decode();
  } finally {
    decoder.free();
  }
}

/**
 * The wasm libFLAC build divides integer samples by 2^(bits−1) − 1; libsndfile (hence the reference's
 * soundfile) divides by 2^(bits−1). Recover the integers (exact up to 24 bits: the float32 error is
 * below 0.25 of a step) and rescale in place so FLAC decodes bit-identically to soundfile.
 */
function rescaleLikeLibsndfile(channelData: Float32Array[], frames: number, bitDepth: number): void {
  if (bitDepth > 24) return;
  const decoderScale = 2 ** (bitDepth - 1) - 1;
  const libsndfileScale = 2 ** (bitDepth - 1);
  for (const channel of channelData) {
    for (let i = 0; i < frames; i++) channel[i] = Math.round(channel[i] * decoderScale) / libsndfileScale;
  }
}

/**
 * Total samples per channel declared in a native FLAC file's STREAMINFO block (0 = unknown), used to
 * notice truncated files: the decoder silently stops at the last complete frame.
 */
function flacDeclaredSamples(bytes: Uint8Array): number {
  const isStreamInfo =
    bytes[0] === 0x66 &&
    bytes[1] === 0x4c &&
    bytes[2] === 0x61 &&
    bytes[3] === 0x43 &&
    (bytes[4] & 0x7f) === 0;
  if (!isStreamInfo || bytes.length < 26) return 0;
  // 36-bit count: low nibble of byte 21, then bytes 22..25 big-endian.
  return (bytes[21] & 0x0f) * 2 ** 32 + new DataView(bytes.buffer, bytes.byteOffset + 22, 4).getUint32(0);
}

function decodeWith(codec: 'flac' | 'vorbis' | 'mp3', bytes: Uint8Array): Promise<WasmDecoded> {
  if (codec === 'flac') {
    const decoder = new FLACDecoder();
    return runDecoder(decoder, async () => {
      const decoded = await decoder.decodeFile(bytes);
      rescaleLikeLibsndfile(decoded.channelData, decoded.samplesDecoded, decoded.bitDepth);
      return decoded;
    });
  }
  if (codec === 'vorbis') {
    const decoder = new OggVorbisDecoder();
    return runDecoder(decoder, () => decoder.decodeFile(bytes));
  }
  // Gapless: trims the encoder delay and padding recorded in the LAME/Xing header, as libsndfile does.
  const decoder = new MPEGDecoder({ enableGapless: true });
  return runDecoder(decoder, () => decoder.decode(bytes));
}

/**
 * Decodes FLAC (native or Ogg), Ogg Vorbis or MPEG audio with the wasm-audio-decoders builds of
 * libFLAC, libvorbis and mpg123 (they run in Node and browsers alike), averaging all channels into one.
 * Frames the codec skipped over become `warnings`; a file that yields no samples is an error.
 */
export async function decodeCompressed(
  bytes: Uint8Array,
  codec: 'flac' | 'vorbis' | 'mp3',
  format: AudioFormat,
  source: string,
): Promise<DecodedAudio> {
  let decoded: WasmDecoded;
  try {
    decoded = await decodeWith(codec, bytes);
  } catch (error) {
    throw new AudioDecodeError(source, `the ${codec} decoder failed: ${(error as Error).message}`);
  }
  const warnings = decoded.errors.map(
    (error) =>
      `${codec} decoder skipped data${error.frameNumber !== undefined ? ` at frame ${error.frameNumber}` : ''}: ${error.message}`,
  );
  const declared = codec === 'flac' ? flacDeclaredSamples(bytes) : 0;
  if (decoded.samplesDecoded > 0 && decoded.samplesDecoded < declared) {
    warnings.push(
      `truncated: STREAMINFO declares ${declared} samples per channel, only ${decoded.samplesDecoded} could be decoded`,
    );
  }
  // mpg123-decoder always returns two channels; a mono stream comes back duplicated.
  const channels =
    codec === 'mp3' ? (mpegChannelCount(bytes) ?? decoded.channelData.length) : decoded.channelData.length;
  if (decoded.samplesDecoded === 0 || decoded.channelData.length === 0) {
    const detail = warnings.length > 0 ? ` (${warnings.join('; ')})` : '';
    throw new AudioDecodeError(source, `no audio could be decoded from this ${format} file${detail}`);
  }
  const samples = averageChannels(decoded.channelData, decoded.samplesDecoded);
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i]))
      throw new AudioDecodeError(source, `decoded sample ${i} is ${samples[i]}`);
  }
  return { samples, sampleRate: decoded.sampleRate, channels, format, warnings };
}
