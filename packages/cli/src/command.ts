import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Placeholder shown in help, e.g. `N` in `--reps N`. */
  valueName?: string;
  short?: string;
  default?: string | boolean;
  multiple?: boolean;
}

export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Results go to stdout; progress and summaries to stderr. */
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

export interface Command {
  /** Words that select the command, e.g. `['bench', 'fbank']`. */
  path: string[];
  summary: string;
  /** Positional arguments as shown in the usage line, e.g. `IN OUT.npy`. */
  positionals: { names: string; min: number; max: number };
  options: Record<string, OptionSpec>;
  /** Extra help text after the options. */
  details?: string;
  run(context: CommandContext): Promise<number | undefined>;
}

/** A mistake in how the command was called: reported with a pointer to `--help`, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function commandHelp(command: Command): string {
  const name = `cat-audio ${command.path.join(' ')}`;
  const lines = [
    `${name} — ${command.summary}`,
    '',
    `Usage: ${name} ${command.positionals.names} [options]`.trimEnd(),
  ];
  const entries = Object.entries(command.options);
  lines.push('', 'Options:');
  const rows = entries.map(([key, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${key}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    const fallback =
      spec.default !== undefined && spec.type === 'string' ? ` (default: ${spec.default})` : '';
    return [flag, spec.description + fallback];
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  if (command.details) lines.push('', command.details);
  return lines.join('\n');
}

/** Parse the arguments that follow the command's words. */
export function parseCommandArgs(command: Command, args: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [key, spec] of Object.entries(command.options)) {
    // Node 20's parseArgs rejects keys that are present but undefined.
    options[key] = { type: spec.type };
    if (spec.short) options[key].short = spec.short;
    if (spec.multiple) options[key].multiple = true;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = { ...parsed.values } as CommandContext['values'];
  for (const [key, spec] of Object.entries(command.options)) {
    if (values[key] === undefined && spec.default !== undefined) values[key] = spec.default;
  }
  const { min, max } = command.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new UsageError(
      `expected ${expected} argument(s) (${command.positionals.names}), got ${parsed.positionals.length}`,
    );
  }
  return { values, positionals: parsed.positionals };
}

/** Read a whole-number option, with a clear error naming the flag. */
export function integerOption(values: CommandContext['values'], key: string, min = 1): number | undefined {
  const raw = values[key];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`--${key} must be a whole number >= ${min}, got '${String(raw)}'`);
  }
  return value;
}

/** Read an option that must be one of a few names. */
export function choiceOption<T extends string>(
  values: CommandContext['values'],
  key: string,
  choices: readonly T[],
): T {
  const raw = String(values[key]);
  if (!choices.includes(raw as T)) {
    throw new UsageError(`--${key} must be one of ${choices.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}

/** The tfjs backends every model command can run on (see @cat/layers `prepareBackend`). */
export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

export const backendOption: OptionSpec = {
  type: 'string',
  valueName: 'NAME',
  default: 'auto',
  description: BACKENDS.join(', '),
};

export const workersOption: OptionSpec = {
  type: 'string',
  valueName: 'N',
  description: 'decoding threads (default: all cores)',
};

/** The normalisation presets of the reference frontend (`@cat/frontend` `NORMALIZATION_PRESETS`). */
export const NORMALIZATION_NAMES = ['audioset', 'esc50', 'spc2'] as const;

/** Options shared by the commands that run a fine-tuned model or a frozen encoder over clips. */
export const clipModelOptions = {
  weights: {
    type: 'string',
    valueName: 'FILE',
    description: 'fine-tuned model (safetensors with a classification head)',
  },
  model: {
    type: 'string',
    valueName: 'NAME|FILE',
    description: 'cat-base, ... or an encoder-config JSON file (default: the one the weights name)',
  },
  'target-length': {
    type: 'string',
    valueName: 'N',
    default: '1024',
    description: 'frames per clip after pad/crop',
  },
  normalize: {
    type: 'string',
    valueName: 'NAME',
    default: 'audioset',
    description: NORMALIZATION_NAMES.join(', '),
  },
  'batch-size': { type: 'string', valueName: 'N', default: '16', description: 'clips per forward pass' },
} satisfies Record<string, OptionSpec>;
