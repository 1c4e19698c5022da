import { AudioDecodeError, type DecodedAudio } from './decoded-audio.js';
import { sniffAudio } from './sniff.js';
import { decodeCompressed } from './wasm-codecs.js';
import { decodeWav } from './wav.js';

export { AudioDecodeError, type AudioFormat, type DecodedAudio } from './decoded-audio.js';
export { decodeWav } from './wav.js';

export interface DecodeAudioOptions {
  /** Names the input (usually its path) in error messages and warnings. */
  source?: string;
}

/**
 * Decodes WAV, FLAC, Ogg Vorbis, Ogg FLAC or MP3 bytes to mono float32 samples at the file's own rate.
 * The container is identified by its magic bytes, not by a file name. Multi-channel audio is mixed to
 * mono by averaging the channels (the reference's `x.mean(-1)`); `channels` reports how many the file had.
 * WAV integer samples are scaled exactly as soundfile/libsndfile do (int16 / 32768, etc.).
 *
 * @throws AudioDecodeError (message starts with the source) for empty, truncated, corrupt or unsupported input.
 */
export async function decodeAudio(
  bytes: Uint8Array,
  options: DecodeAudioOptions = {},
): Promise<DecodedAudio> {
  const source = options.source ?? '<audio bytes>';
  if (bytes.length === 0) throw new AudioDecodeError(source, 'the file is empty');
  const sniffed = sniffAudio(bytes);
  if (!sniffed) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new AudioDecodeError(
      source,
      `unknown container (first bytes ${head}); expected WAV, FLAC, Ogg Vorbis or MP3`,
    );
  }
  if ('unsupported' in sniffed) {
    throw new AudioDecodeError(
      source,
      `${sniffed.unsupported} is not supported; expected WAV, FLAC, Ogg Vorbis or MP3`,
    );
  }
  if (sniffed.format === 'wav') return decodeWav(bytes, source);
  const codec = sniffed.format === 'ogg' ? 'vorbis' : sniffed.format;
  return decodeCompressed(bytes, codec, sniffed.format, source);
}
