/** What the examples' manifest writers share: their options and the text files they write. */
import { formatLabelDescriptors, type LabelSet } from '@cat/data';
import { writeFileAtomic } from '@cat/frontend/node';

export interface ManifestOptions {
  /** The dataset's folder, as distributed. */
  data: string;
  /** Where the manifests go. */
  out: string;
  /** Samples of a file (default `audioSampleCount`: from its WAV header); replaceable in tests. */
  sampleCount?: (path: string) => Promise<number>;
}

/** `lines`, each ended by a newline, written atomically to `path`. */
export async function writeLines(path: string, lines: readonly string[]): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(`${lines.join('\n')}\n`));
}

/** The class list as the reference's `label_descriptors.csv` (`index,key,"name"`). */
export function writeLabelDescriptors(path: string, labels: LabelSet): Promise<void> {
  return writeLines(path, [formatLabelDescriptors(labels)]);
}
