/**
 * A miniature Speech Commands v2 in the real layout: a folder per class of 1 s, 16 kHz, 16-bit mono clips named
 * `<speaker>_nohash_<n>.wav`, `validation_list.txt` and `testing_list.txt` that split by speaker, and a
 * `_background_noise_/` folder. The audio is real but not speech: Sonic Pi's CC0 recordings, four kinds of
 * percussion as four "words", one recording standing for one speaker. For tests and for trying the program
 * without the dataset.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWav } from '@cat/frontend';
import { writeFileAtomic } from '@cat/frontend/node';
import { clip, sonicPiNames, sonicPiRecording } from '@example/recipe-kit';

/** Class folder → the Sonic Pi file-name prefix of its recordings. */
export const MINI_WORDS: readonly [string, string][] = [
  ['kick', 'bd_'],
  ['hat', 'hat_'],
  ['tabla', 'tabla_'],
  ['snare', 'sn_'],
];
const RATE = 16_000;

export interface MiniSpeechCommands {
  dir: string;
  words: string[];
  /** Relative paths per split (train = listed in neither file). */
  train: string[];
  validation: string[];
  test: string[];
  /** A training clip of 0.5 s: shorter than the reference's 10,000-sample minimum, so training leaves it out. */
  short: string;
  backgroundNoise: string;
}

/**
 * Per word: `speakers` recordings, the last two of which are the validation and the test speakers; each
 * speaker says the word once (the first second of the recording).
 */
export async function buildMiniSpeechCommands(dir: string, speakers = 4): Promise<MiniSpeechCommands> {
  const available = sonicPiNames();
  const result: MiniSpeechCommands = {
    dir,
    words: MINI_WORDS.map(([word]) => word),
    train: [],
    validation: [],
    test: [],
    short: '',
    backgroundNoise: '_background_noise_/vinyl_hiss.wav',
  };
  for (const [word, prefix] of MINI_WORDS) {
    const sources = available.filter((name) => name.startsWith(prefix)).slice(0, speakers);
    if (sources.length < speakers)
      throw new Error(`only ${sources.length} Sonic Pi recordings named ${prefix}*`);
    await mkdir(join(dir, word), { recursive: true });
    for (const [i, source] of sources.entries()) {
      // Speech Commands names a speaker by a hash; the recording plays the speaker here.
      const speaker = createHash('sha1').update(source).digest('hex').slice(0, 8);
      const path = `${word}/${speaker}_nohash_0.wav`;
      const samples = await sonicPiRecording(source, RATE);
      await writeFileAtomic(join(dir, path), encodeWav(clip(samples, RATE), RATE));
      (i === speakers - 1 ? result.test : i === speakers - 2 ? result.validation : result.train).push(path);
    }
  }
  // Real Speech Commands has clips under a second; the reference drops those under 10,000 samples.
  const [word, prefix] = MINI_WORDS[0];
  const source = available.filter((name) => name.startsWith(prefix))[speakers];
  result.short = `${word}/${createHash('sha1').update(source).digest('hex').slice(0, 8)}_nohash_0.wav`;
  await writeFileAtomic(
    join(dir, result.short),
    encodeWav(clip(await sonicPiRecording(source, RATE), RATE / 2), RATE),
  );
  result.train.push(result.short);
  await mkdir(join(dir, '_background_noise_'), { recursive: true });
  const noise = await sonicPiRecording('vinyl_hiss', RATE);
  await writeFileAtomic(join(dir, result.backgroundNoise), encodeWav(clip(noise, noise.length), RATE));
  const list = (paths: string[]) => new TextEncoder().encode(`${paths.join('\n')}\n`);
  await writeFileAtomic(join(dir, 'validation_list.txt'), list(result.validation));
  await writeFileAtomic(join(dir, 'testing_list.txt'), list(result.test));
  return result;
}
