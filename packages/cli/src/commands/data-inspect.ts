import { inspectDataset, loadAnyDataset } from '@cat/data/node';
import { type Command, integerOption } from '../command.js';

function duration(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds - 3600 * hours - 60 * minutes;
  return `${hours}h ${String(minutes).padStart(2, '0')}m ${rest.toFixed(1).padStart(4, '0')}s (${seconds.toFixed(1)} s)`;
}

export const dataInspectCommand: Command = {
  path: ['data', 'inspect'],
  summary:
    'check a dataset: entries, readable clips, classes, label counts, duration, sample rates, broken files',
  positionals: { names: 'MANIFEST|FOLDER|CSV', min: 1, max: 1 },
  options: {
    root: {
      type: 'string',
      valueName: 'DIR',
      description:
        "audio root: replaces a .tsv's root line; where CSV paths and AudioSet segment files are looked up",
    },
    labels: {
      type: 'string',
      valueName: 'FILE',
      description:
        'label list (label_descriptors.csv or class_labels_indices.csv) instead of one found beside the input',
    },
    limit: { type: 'string', valueName: 'N', description: 'decode only the first N entries' },
    'min-samples': {
      type: 'string',
      valueName: 'N',
      default: '10000',
      description: 'clips shorter than N samples count as unusable, as the reference drops them',
    },
  },
  details: [
    'The input kind is recognised from the path: a folder (Speech Commands layout, ESC-50 layout, a folder per',
    'class, AudioSet-named files, or a flat folder of audio), a .tsv (with the .lbl of the same name and',
    'label_descriptors.csv beside it), a .json (feature manifest or AST datafile) or a .csv (path,label rows,',
    "ESC-50's esc50.csv, or AudioSet segments with class_labels_indices.csv beside it).",
    'Every file is decoded and checked as the training pipeline does (missing, empty, undecodable, truncated,',
    'implausible sample rate, NaN/Inf samples, digital silence, too short).',
    'Exit status: 0 when at least one clip is readable, 1 otherwise.',
  ].join('\n'),
  async run({ values, positionals, stdout, stderr }) {
    const [input] = positionals;
    const limit = integerOption(values, 'limit');
    const minSamples = integerOption(values, 'min-samples', 0);
    const loaded = await loadAnyDataset(input, {
      root: values.root as string | undefined,
      labels: values.labels as string | undefined,
    });
    const { dataset } = loaded;
    let done = 0;
    const report = await inspectDataset(dataset, {
      limit,
      minSamples,
      onCheck: () => {
        done++;
        if (done % 1000 === 0) stderr(`checked ${done} clips...`);
      },
    });
    stdout(
      `input: ${input} (${loaded.kind}${loaded.sources.length > 1 ? `; ${loaded.sources.slice(1).join(', ')}` : ''})`,
    );
    if (loaded.splits)
      stdout(
        `splits: ${Object.entries(loaded.splits)
          .map(([name, split]) => `${name} ${split.entries.length}`)
          .join(', ')}`,
      );
    stdout(
      `entries: ${report.entries}${report.checked < report.entries ? ` (first ${report.checked} checked)` : ''}`,
    );
    stdout(`readable clips: ${report.readable} of ${report.checked}`);
    stdout(`classes: ${report.labelCounts.length}`);
    if (report.labelCounts.length > 0) {
      stdout('label counts:');
      const width = Math.max(...report.labelCounts.map(({ count }) => String(count).length));
      for (const { key, name, count } of [...report.labelCounts].sort((a, b) => b.count - a.count))
        stdout(`  ${String(count).padStart(width)}  ${name}${key !== name ? ` (${key})` : ''}`);
    }
    stdout(`total duration: ${duration(report.totalSeconds)}`);
    stdout(
      `sample rates: ${report.sampleRates.map(([rate, count]) => `${rate} Hz x ${count}`).join(', ') || 'none'}`,
    );
    if (report.problems.length > 0) {
      stdout(`manifest problems: ${report.problems.length}`);
      for (const { file, line, reason } of report.problems) stdout(`  ${file}:${line}: ${reason}`);
    }
    stdout(`unreadable entries: ${report.unreadable.length}`);
    for (const { path, kind, reason } of report.unreadable) stdout(`  ${path}: ${kind}: ${reason}`);
    return report.readable > 0 ? 0 : 1;
  },
};
