// An ESM consumer of the installed @cat/frontend: the reference fbank of a WAV, and one file per wasm decoder.
// Usage: node frontend.mjs OUT_DIR CLIP.wav [COMPRESSED...]; writes OUT_DIR/fbank.npy and OUT_DIR/<file>.npy.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeAudio, referenceFbank } from '@cat/frontend';
import { readAudioFile, writeNpyFile } from '@cat/frontend/node';

const [outDir, wav, ...compressed] = process.argv.slice(2);
const audio = await readAudioFile(wav);
const fbank = referenceFbank(audio.samples, audio.sampleRate);
await writeNpyFile(join(outDir, 'fbank.npy'), fbank.data, [fbank.frames, fbank.bins]);
for (const file of compressed) {
  const decoded = await decodeAudio(new Uint8Array(await readFile(file)), { source: file });
  await writeNpyFile(join(outDir, `${basename(file)}.npy`), decoded.samples, [decoded.samples.length]);
}
