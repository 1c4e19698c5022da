/** Skips an ID3v2 tag (10-byte header, syncsafe size, optional 10-byte footer). */
function skipId3(bytes: Uint8Array): number {
  if (bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33 || bytes.length < 10) return 0;
  const size =
    ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f);
  return 10 + size + (bytes[5] & 0x10 ? 10 : 0);
}

/**
 * Channel count of an MPEG audio stream, read from its first valid frame header (channel mode 3 is mono).
 * Needed because mpg123-decoder always returns two channels, duplicating mono streams.
 * Returns undefined when no frame header is found.
 */
export function mpegChannelCount(bytes: Uint8Array): number | undefined {
  for (let i = skipId3(bytes); i + 4 <= bytes.length; i++) {
    if (bytes[i] !== 0xff || (bytes[i + 1] & 0xe0) !== 0xe0) continue;
    const version = (bytes[i + 1] >> 3) & 3;
    const layer = (bytes[i + 1] >> 1) & 3;
    const bitrate = bytes[i + 2] >> 4;
    const rate = (bytes[i + 2] >> 2) & 3;
    if (version === 1 || layer === 0 || bitrate === 15 || rate === 3) continue;
    return bytes[i + 3] >> 6 === 3 ? 1 : 2;
  }
  return undefined;
}
