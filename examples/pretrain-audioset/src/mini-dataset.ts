/**
 * The miniature AudioSet (`buildMiniAudioSet` of @example/recipe-kit) plus what the reference's pre-training reads: a JSON manifest
 * (`train.json`: `wav_path`, `clap_path`, `num_frame`) with one 1-D `.npy` feature vector per clip. CLAP cannot
 * run here, so the vectors are the clips' pooled spectral descriptors (46 values, standardised over the clips): real
 * features of the audio, in the reference's layout.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pooledDescriptors } from '@cat/frontend';
import { readAudioFile, writeJsonAtomic, writeNpyFile } from '@cat/frontend/node';
import { buildMiniAudioSet, type MiniAudioSet } from '@example/recipe-kit';

export interface MiniPretrainingSet extends MiniAudioSet {
  /** The reference's pre-training manifest of the training clips. */
  manifest: string;
  featureDimension: number;
}

export async function buildMiniPretrainingSet(folder: string): Promise<MiniPretrainingSet> {
  // Absolute paths in the manifest, as the reference writes them (relative ones would resolve against its folder).
  const dir = resolve(folder);
  const mini = await buildMiniAudioSet(dir);
  const features = join(dir, 'features', 'clap_embs');
  await mkdir(features, { recursive: true });
  const clips: { wav: string; npy: string; samples: number; vector: Float32Array }[] = [];
  for (const segment of mini.train) {
    if (!segment.file) continue;
    const wav = join(dir, segment.file);
    const audio = await readAudioFile(wav);
    const vector = pooledDescriptors(audio.samples, audio.sampleRate);
    clips.push({ wav, npy: join(features, `Y${segment.ytid}.npy`), samples: audio.samples.length, vector });
  }
  // Raw descriptors mix Hz with ratios (squared errors of ~1e6): standardise every dimension over the clips, as
  // embeddings like CLAP's are of unit scale.
  const featureDimension = clips[0].vector.length;
  for (let d = 0; d < featureDimension; d++) {
    const values = clips.map((c) => c.vector[d]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) || 1;
    for (const c of clips) c.vector[d] = (c.vector[d] - mean) / std;
  }
  const entries: { wav_path: string; clap_path: string; num_frame: number }[] = [];
  for (const c of clips) {
    await writeNpyFile(c.npy, c.vector, [featureDimension]);
    entries.push({ wav_path: c.wav, clap_path: c.npy, num_frame: c.samples });
  }
  const manifest = join(dir, 'train.json');
  await writeJsonAtomic(manifest, entries);
  return { ...mini, manifest, featureDimension };
}
