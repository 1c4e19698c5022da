/**
 * The labelled clips as model input: @cat/data reads the `path,label` CSV, @cat/frontend decodes each file and
 * computes the reference log-mel fbank (16 kHz, 128 bins, padded or cropped, AudioSet normalisation).
 */
import { labelSetOf } from '@cat/data';
import { loadPathLabelCsv } from '@cat/data/node';
import { NORMALIZATION_PRESETS, referenceFbank } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';

export interface LabelledFbanks {
  /** Row-major `[clips, frames, melBins]`. */
  fbanks: Float32Array;
  /** Class index of each clip. */
  labels: Int32Array;
  /** Class names in index order. */
  classes: string[];
  frames: number;
  melBins: number;
  files: string[];
}

/**
 * Every clip of a `path,label` CSV (one label each) as a normalised fbank of `frames` frames. `classes` fixes the
 * class order (e.g. the training set's, for a test set); by default it is the CSV's own, sorted.
 */
export async function loadLabelledFbanks(
  csv: string,
  options: { frames: number; classes?: readonly string[] },
): Promise<LabelledFbanks> {
  const dataset = await loadPathLabelCsv(csv);
  const own = labelSetOf(dataset);
  if (dataset.problems.length > 0) {
    const first = dataset.problems[0];
    throw new Error(
      `${first.file}: line ${first.line}: ${first.reason} (${dataset.problems.length} problem(s))`,
    );
  }
  const classes = options.classes ? [...options.classes] : [...own.names];
  const melBins = 128;
  const fbanks = new Float32Array(dataset.entries.length * options.frames * melBins);
  const labels = new Int32Array(dataset.entries.length);
  for (const [i, entry] of dataset.entries.entries()) {
    if (entry.labels.length !== 1)
      throw new Error(`${csv}: ${entry.path} has ${entry.labels.length} labels, not 1`);
    const index = classes.indexOf(own.names[entry.labels[0]]);
    if (index < 0)
      throw new Error(`${csv}: ${entry.path}: class '${own.names[entry.labels[0]]}' is not in [${classes}]`);
    labels[i] = index;
    const audio = await readAudioFile(entry.path);
    const fbank = referenceFbank(audio.samples, audio.sampleRate, {
      targetLength: options.frames,
      normalize: NORMALIZATION_PRESETS.audioset,
    });
    fbanks.set(fbank.data, i * options.frames * melBins);
  }
  return {
    fbanks,
    labels,
    classes,
    frames: options.frames,
    melBins,
    files: dataset.entries.map((e) => e.path),
  };
}
