/** Sample counts from WAV headers (for the reference's `.tsv` manifests). */
import { open } from 'node:fs/promises';
import { readAudioFile } from '@cat/frontend/node';

/** Samples per channel from a WAV header's `fmt ` and `data` chunks, or undefined when the header is not plain. */
function wavHeaderSamples(head: Uint8Array, fileSize: number): number | undefined {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const tag = (offset: number) => String.fromCharCode(...head.subarray(offset, offset + 4));
  if (head.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return undefined;
  let blockAlign: number | undefined;
  for (let offset = 12; offset + 8 <= head.length; ) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ' && offset + 14 <= head.length) blockAlign = view.getUint16(offset + 20, true);
    if (id === 'data') {
      if (!blockAlign) return undefined;
      // ffmpeg writes 0 or 0xFFFFFFFF sizes when streaming: the rest of the file is the data then.
      const bytes = size === 0 || size === 0xffffffff ? fileSize - offset - 8 : size;
      return Math.floor(Math.min(bytes, fileSize - offset - 8) / blockAlign);
    }
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

/**
 * The number of samples (at the file's own rate, as the reference's manifests count them) of an audio file:
 * from the WAV header when there is one, else by decoding the file.
 */
export async function audioSampleCount(path: string): Promise<number> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = new Uint8Array(Math.min(size, 4096));
    await file.read(head, 0, head.length, 0);
    const fromHeader = wavHeaderSamples(head, size);
    if (fromHeader !== undefined) return fromHeader;
  } finally {
    await file.close();
  }
  return (await readAudioFile(path)).samples.length;
}
