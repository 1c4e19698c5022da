import type { AudioFormat } from './decoded-audio.js';

/** What the first bytes say a file is: a supported format, or the name of an unsupported one. */
export type SniffResult = { format: AudioFormat } | { unsupported: string };

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/** The codec of an Ogg stream, from the first packet of its first page. */
function sniffOgg(bytes: Uint8Array): SniffResult {
  const segments = bytes[26] ?? 0;
  const packet = 27 + segments;
  if (ascii(bytes, packet + 1, 6) === 'vorbis' && bytes[packet] === 1) return { format: 'ogg' };
  // libFLAC reads Ogg FLAC too, so it counts as FLAC.
  if (bytes[packet] === 0x7f && ascii(bytes, packet + 1, 4) === 'FLAC') return { format: 'flac' };
  if (ascii(bytes, packet, 8) === 'OpusHead') return { unsupported: 'Ogg Opus' };
  if (ascii(bytes, packet, 8) === 'Speex   ') return { unsupported: 'Ogg Speex' };
  return { unsupported: 'Ogg with an unknown codec' };
}

/**
 * Identifies the container from its magic bytes (never from a file extension).
 * MPEG audio without an ID3 tag is recognised by its frame sync; the layer bits must be non-zero,
 * which tells it apart from ADTS AAC.
 */
export function sniffAudio(bytes: Uint8Array): SniffResult | undefined {
  const head = ascii(bytes, 0, 4);
  // Any RIFF goes to the WAV parser, which explains a truncated header or a non-WAVE form type.
  if (head === 'RIFF' || head === 'RF64' || head === 'BW64') return { format: 'wav' };
  if (head === 'RIFX') return { unsupported: 'big-endian WAV (RIFX)' };
  if (head === 'fLaC') return { format: 'flac' };
  if (head === 'OggS') return sniffOgg(bytes);
  if (head.startsWith('ID3')) return { format: 'mp3' };
  if (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) {
    return (bytes[1] & 0x06) !== 0 ? { format: 'mp3' } : { unsupported: 'AAC (ADTS)' };
  }
  if (head === 'FORM') return { unsupported: 'AIFF' };
  if (ascii(bytes, 4, 4) === 'ftyp') return { unsupported: 'MP4/M4A' };
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3)
    return { unsupported: 'Matroska/WebM' };
  return undefined;
}
