// Type-checked by tsc in the project that installed @cat/frontend (node16 and bundler resolution): the ESM
// entry points resolve to real declarations, not `any`, and misuse is a type error.
import { type Fbank, NORMALIZATION_PRESETS, referenceFbank, toPatches } from '@cat/frontend';
import { readAudioFile, writeNpyFile } from '@cat/frontend/node';

type IsAny<T> = 0 extends 1 & T ? true : false;
export const notAny: [IsAny<typeof referenceFbank>, IsAny<typeof readAudioFile>] = [false, false];

export async function fbankOf(path: string): Promise<Fbank> {
  const audio = await readAudioFile(path);
  const fbank = referenceFbank(audio.samples, audio.sampleRate, {
    targetLength: 1024,
    normalize: NORMALIZATION_PRESETS.audioset,
  });
  await writeNpyFile(`${path}.npy`, fbank.data, [fbank.frames, fbank.bins]);
  return fbank;
}

export const tokens: number = toPatches({ data: new Float32Array(32 * 128), frames: 32, bins: 128 }).count;
// @ts-expect-error samples are a Float32Array, not a number[]
referenceFbank([0, 1, 2], 16000);
