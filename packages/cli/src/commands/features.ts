import { join } from 'node:path';
import { loadAnyDataset } from '@cat/data/node';
import {
  ENCODER_SPEC_GRAMMAR,
  openExternalEncoder,
  type PrecomputeProgress,
  precomputeFeatures,
} from '@cat/regularize/node';
import { BACKENDS, type Command, choiceOption, integerOption, UsageError } from '../command.js';

const DTYPES = ['float32', 'float16'] as const;
const STANDARDIZE = ['auto', 'yes', 'no'] as const;

/** Seconds between plain progress lines when stderr is not a terminal. */
const LINE_INTERVAL = 30;

/** A bar redrawn in place on a terminal; otherwise a plain line now and then (logs, CI). */
function progressPrinter(stderr: (line: string) => void): (progress: PrecomputeProgress) => void {
  const terminal = process.stderr.isTTY === true;
  const started = performance.now();
  let lastLine = Number.NEGATIVE_INFINITY;
  return ({ total, done, skipped }) => {
    const handled = done + skipped;
    const seconds = (performance.now() - started) / 1000;
    const text = `${done}/${total} clips${skipped ? `, ${skipped} skipped` : ''}, ${seconds.toFixed(1)} s`;
    if (terminal) {
      const width = 30;
      const filled = total > 0 ? Math.round((width * handled) / total) : width;
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
      if (handled === total) process.stderr.write('\n');
    } else if (handled === total || seconds - lastLine >= LINE_INTERVAL) {
      lastLine = seconds;
      stderr(text);
    }
  };
}

function requiredString(values: Record<string, unknown>, key: string): string {
  const value = values[key];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${key} is required`);
  return value;
}

export const featuresCommand: Command = {
  path: ['features'],
  summary:
    'run a frozen external encoder over a dataset and store one feature vector per clip (representation regularization)',
  positionals: { names: '', min: 0, max: 0 },
  options: {
    encoder: {
      type: 'string',
      valueName: 'SPEC',
      default: 'descriptors',
      description: 'the external encoder (grammar below)',
    },
    data: {
      type: 'string',
      valueName: 'MANIFEST|FOLDER|CSV',
      description: "the clips: any input 'cat-audio data inspect' reads (required)",
    },
    out: {
      type: 'string',
      valueName: 'DIR',
      description: 'output folder (required); rerun with the same one to resume',
    },
    packed: { type: 'boolean', description: 'also write one matrix: DIR/features.npy + DIR/ids.json' },
    dtype: { type: 'string', valueName: 'TYPE', default: 'float32', description: 'float32 or float16' },
    batch: { type: 'string', valueName: 'N', default: '16', description: 'clips per encoder call' },
    standardize: {
      type: 'string',
      valueName: 'WHEN',
      default: 'auto',
      description: 'standardise every dimension over the dataset: auto (descriptors only), yes, no',
    },
    root: { type: 'string', valueName: 'DIR', description: "audio root: replaces a .tsv's root line" },
    backend: {
      type: 'string',
      valueName: 'NAME',
      default: 'auto',
      description: `tfjs backend for model encoders: ${BACKENDS.join(', ')}`,
    },
  },
  details: [
    "Writes DIR/<id>.npy per clip (id = the dataset's clip id: the manifest's id, or the path below the folder",
    "without extension) and DIR/manifest.json, the reference's {wav_path, clap_path, num_frame} list. Files are",
    'written atomically and finished clips are skipped, so an interrupted run continues where it stopped.',
    'Unreadable audio files are skipped and listed.',
    '',
    'Encoder specs:',
    ...ENCODER_SPEC_GRAMMAR.split('\n').map((line) => `  ${line}`),
    '',
    'Exit status: 0 when at least one clip has a feature, 1 otherwise.',
  ].join('\n'),
  async run({ values, stdout, stderr }) {
    const data = requiredString(values, 'data');
    const out = requiredString(values, 'out');
    const dtype = choiceOption(values, 'dtype', DTYPES);
    const backend = choiceOption(values, 'backend', BACKENDS);
    const standardize = choiceOption(values, 'standardize', STANDARDIZE);
    const batchSize = integerOption(values, 'batch') as number;
    const started = performance.now();
    const loaded = await loadAnyDataset(data, { root: values.root as string | undefined });
    const encoder = await openExternalEncoder(String(values.encoder), { backend });
    try {
      stderr(
        `${encoder.name}: ${encoder.dimension} values per clip, ${loaded.dataset.entries.length} clips (${loaded.kind})`,
      );
      const result = await precomputeFeatures({
        encoder,
        entries: loaded.dataset.entries,
        out,
        packed: values.packed === true,
        dtype,
        batchSize,
        standardize: standardize === 'auto' ? undefined : standardize === 'yes',
        onProgress: progressPrinter(stderr),
      });
      const seconds = (performance.now() - started) / 1000;
      stdout(`encoder: ${encoder.name}`);
      stdout(`dimension: ${result.dimension}`);
      stdout(
        `clips: ${result.ids.length} of ${result.total} with features (${result.embedded} embedded now, ` +
          `${result.reused} from an earlier run), ${result.skipped.length} skipped`,
      );
      for (const { path, reason } of result.skipped) stdout(`  skipped ${path}: ${reason}`);
      if (result.manifest) stdout(`manifest: ${result.manifest}`);
      if (result.standardization) {
        stdout(
          `standardized: ${join(out, 'standardization.json')} (statistics of ${result.standardization.count} clips)`,
        );
      }
      if (values.packed === true && result.ids.length > 0) {
        stdout(`packed: ${join(out, 'features.npy')} + ids.json (${dtype})`);
      }
      stdout(`seconds: ${seconds.toFixed(1)}`);
      return result.ids.length > 0 ? 0 : 1;
    } finally {
      encoder.dispose?.();
    }
  },
};
