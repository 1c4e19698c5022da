// An ESM consumer of the installed @cat/layers with plain @tensorflow/tfjs: builds cat-tiny from a seed and
// encodes one normalised fbank on each backend asked for.
// Usage: node layers.mjs INPUT.f32 FRAMES OUT.json BACKEND...; INPUT.f32 holds FRAMES x 128 little-endian float32.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { countEncoderParams, createEncoder, modelPreset, prepareBackend } from '@cat/layers';
import * as tf from '@tensorflow/tfjs';

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
// Written whole, then renamed: the test reads it only after this process exits, but never a partial file.
writeFileSync(`${out}.tmp`, JSON.stringify(result));
renameSync(`${out}.tmp`, out);
