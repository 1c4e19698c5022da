import type { MonoAudio } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';
import type { ClipInput } from './types.js';

/** The clip's audio: its samples when given, else the decoded file. Errors name the clip. */
export async function clipAudio(clip: ClipInput): Promise<MonoAudio> {
  if (clip.samples) {
    if (!(clip.sampleRate && clip.sampleRate > 0)) {
      throw new Error(`clip ${clip.id}: samples given without a positive sampleRate`);
    }
    return { samples: clip.samples, sampleRate: clip.sampleRate };
  }
  if (clip.path === undefined)
    throw new Error(`clip ${clip.id}: neither samples nor a path to read audio from`);
  return readAudioFile(clip.path);
}
