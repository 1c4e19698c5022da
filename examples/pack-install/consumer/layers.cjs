// The CommonJS twin of layers.mjs: same arguments, same output, through `require`.
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { countEncoderParams, createEncoder, modelPreset, prepareBackend } = require('@cat/layers');
const tf = require('@tensorflow/tfjs');

async function main() {
  const [input, frames, out, ...backends] = process.argv.slice(2);
  const bytes = readFileSync(input);
  const fbank = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const result = { parameters: countEncoderParams(modelPreset('cat-tiny').encoder), runs: [] };
  for (const backend of backends) {
    const prepared = await prepareBackend({ backend });
    const encoder = createEncoder('cat-tiny', 7);
    const { cls, tokens } = encoder.encode(tf.tensor3d(fbank, [1, Number(frames), 128]));
    result.runs.push({
      asked: backend,
      prepared: prepared.name,
      active: tf.getBackend(),
      tokensShape: tokens.shape,
      cls: Array.from(cls.dataSync()),
      tokens: Array.from(tokens.dataSync()),
    });
    tf.dispose([cls, tokens]);
    encoder.dispose();
  }
  writeFileSync(`${out}.tmp`, JSON.stringify(result));
  renameSync(`${out}.tmp`, out);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
