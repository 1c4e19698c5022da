// The CommonJS side of frontend-types.mts: in a .cts file tsc resolves the packages' `require` conditions
// (index.d.cts, node.d.cts).
import { type Fbank, referenceFbank } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';

type IsAny<T> = 0 extends 1 & T ? true : false;
export const notAny: [IsAny<typeof referenceFbank>, IsAny<typeof readAudioFile>] = [false, false];

export async function fbankOf(path: string): Promise<Fbank> {
  const audio = await readAudioFile(path);
  return referenceFbank(audio.samples, audio.sampleRate);
}

// @ts-expect-error the sample rate is a number
referenceFbank(new Float32Array(400), '16000');
