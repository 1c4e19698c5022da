// The CommonJS twin of frontend.mjs: same arguments, same outputs, through `require`.
const { readFile } = require('node:fs/promises');
const { basename, join } = require('node:path');
const { decodeAudio, referenceFbank } = require('@cat/frontend');
const { readAudioFile, writeNpyFile } = require('@cat/frontend/node');

async function main() {
  const [outDir, wav, ...compressed] = process.argv.slice(2);
  const audio = await readAudioFile(wav);
  const fbank = referenceFbank(audio.samples, audio.sampleRate);
  await writeNpyFile(join(outDir, 'fbank.npy'), fbank.data, [fbank.frames, fbank.bins]);
  for (const file of compressed) {
    const decoded = await decodeAudio(new Uint8Array(await readFile(file)), { source: file });
    await writeNpyFile(join(outDir, `${basename(file)}.npy`), decoded.samples, [decoded.samples.length]);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
