/**
 * What every recipe program shares: its options for the run's size, and running it as a command (usage, errors,
 * and a wasm abort turned into a failure).
 */
import { type Output, streamOutput } from './cat-audio.js';
import type { FinetuneRunOptions } from './finetune-run.js';

/** A `--name` value that must be a whole number > 0; undefined when the option was not given. */
export function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0)
    throw new Error(`--${name} must be a whole number > 0, got '${value}'`);
  return Number(value);
}

/** `node:util` parseArgs options of every program: its run folder, the encoder, the backend and the run's size. */
export function runOptions(defaults: { out: string; microBatch: number }) {
  return {
    out: { type: 'string', default: defaults.out },
    model: { type: 'string' },
    batch: { type: 'string' },
    'micro-batch': { type: 'string', default: String(defaults.microBatch) },
    steps: { type: 'string' },
    'target-length': { type: 'string' },
    backend: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] as string[] },
  } as const;
}

/** `runOptions` and the pre-trained weights a fine-tuning starts from. */
export function finetuneOptions(defaults: { out: string; microBatch: number }) {
  return { ...runOptions(defaults), init: { type: 'string' } } as const;
}

export interface RunOptionValues {
  model?: string;
  init?: string;
  batch?: string;
  'micro-batch'?: string;
  steps?: string;
  'target-length'?: string;
  backend?: string;
  set?: string[];
}

export type RunChoices = Pick<
  FinetuneRunOptions,
  'model' | 'init' | 'backend' | 'batch' | 'microBatch' | 'steps' | 'targetLength' | 'set'
>;

/** The parsed options as the part of a run they choose, the numbers checked. */
export function runChoices(values: RunOptionValues): RunChoices {
  return {
    model: values.model,
    init: values.init,
    backend: values.backend,
    batch: positiveInteger(values.batch, 'batch'),
    microBatch: positiveInteger(values['micro-batch'], 'micro-batch'),
    steps: positiveInteger(values.steps, 'steps'),
    targetLength: positiveInteger(values['target-length'], 'target-length'),
    set: values.set,
  };
}

/** The `--help` lines of `finetuneOptions` (but `--out`), with the recipe's values as the defaults. */
export function finetuneUsage(
  recipe: { batch: number; steps: number; targetLength: number },
  microBatch: number,
) {
  return [
    '  --init FILE         pre-trained weights to start from (default: random initialisation)',
    "  --model NAME|FILE   encoder (default: the recipe's cat-base)",
    `  --batch N           clips per optimizer step (default: the recipe's ${recipe.batch})`,
    `  --micro-batch N     clips per pass, accumulated to --batch (default ${microBatch})`,
    `  --steps N           optimizer steps (default: the recipe's ${recipe.steps}); warm-up keeps its share`,
    `  --target-length T   frames per clip (default: the recipe's ${recipe.targetLength})`,
    '  --backend NAME      auto, wasm, cpu, tensorflow, tensorflow-gpu (default auto)',
    '  --set KEY=VALUE     any other recipe override (repeatable)',
  ].join('\n');
}

/** The part of `process` a program runs in (replaceable in tests). */
export interface ProgramProcess {
  argv: string[];
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  exitCode?: number | string;
  exit(code?: number): void;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

/**
 * Runs `program` on the command line's arguments as the command `name`: `--help` prints `usage`, an error is
 * printed and exits with status 1. Settles when the program has.
 */
export async function runProgram(
  name: string,
  usage: string,
  program: (argv: string[], output: Output) => Promise<unknown>,
  proc: ProgramProcess = process,
): Promise<void> {
  const args = proc.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    proc.stdout.write(`${usage}\n`);
    proc.exit(0);
    return;
  }
  let finished = false;
  // When the wasm backend runs out of its 4 GB heap it aborts without settling any promise: Node then exits with
  // status 0 in the middle of the run. Say so and fail instead.
  proc.on('exit', (code) => {
    if (finished || code !== 0) return;
    proc.stderr.write(
      `${name}: stopped before finishing (the wasm backend aborted: out of memory? try a smaller --micro-batch)\n`,
    );
    proc.exitCode = 1;
  });
  try {
    await program(args, streamOutput(proc));
  } catch (error) {
    proc.stderr.write(`${name}: ${(error as Error).message}\n`);
    proc.exit(1);
  } finally {
    finished = true;
  }
}
