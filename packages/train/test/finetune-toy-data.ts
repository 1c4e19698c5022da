import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SeededRandom } from '@cat/frontend';

/** A tiny CAT encoder configuration: fast enough to train in tests. */
export const TINY_ENCODER = {
  embedDim: 32,
  numHeads: 2,
  depth: 2,
  multiResolution: { channels: [8, 16], depths: [1, 1] },
  maxTimePatches: 8,
};

/** A pre-training recipe's `architecture`: TINY_ENCODER and a one-layer decoder. */
export const TINY_PRETRAIN_ARCHITECTURE = {
  encoder: TINY_ENCODER,
  decoder: { numLayers: 1, kernelSize: 3, groups: 16 },
};

/** 16-bit PCM mono WAV bytes. */
export function wavBytes(samples: Float32Array, sampleRate = 16_000): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** One second of a tone (random pitch, quiet noise underneath) or of white noise. */
export function toyClip(kind: 'tone' | 'noise', random: SeededRandom): Float32Array {
  const samples = new Float32Array(16_000);
  const frequency = 300 + 2000 * random.next();
  const phase = 2 * Math.PI * random.next();
  for (let i = 0; i < samples.length; i++) {
    const noise = (random.next() * 2 - 1) * (kind === 'tone' ? 0.01 : 0.3);
    samples[i] =
      noise + (kind === 'tone' ? 0.3 * Math.sin(phase + (2 * Math.PI * frequency * i) / 16_000) : 0);
  }
  return samples;
}

/**
 * Writes `perClass` tone and noise clips per split under `dir` and `train.csv` / `test.csv` (`path,label`,
 * paths relative to the CSV). Returns the CSV paths.
 */
export async function writeToyDataset(
  dir: string,
  perClass: { train: number; test: number },
  seed = 1,
): Promise<{ train: string; test: string }> {
  const random = new SeededRandom(seed);
  await mkdir(join(dir, 'audio'), { recursive: true });
  const csv: Record<string, string> = {};
  for (const split of ['train', 'test'] as const) {
    const rows = ['path,label'];
    for (let i = 0; i < perClass[split]; i++) {
      for (const kind of ['tone', 'noise'] as const) {
        const name = `audio/${split}-${kind}-${i}.wav`;
        await writeFile(join(dir, name), wavBytes(toyClip(kind, random)));
        rows.push(`${name},${kind}`);
      }
    }
    csv[split] = join(dir, `${split}.csv`);
    await writeFile(csv[split], `${rows.join('\n')}\n`);
  }
  return { train: csv.train, test: csv.test };
}
