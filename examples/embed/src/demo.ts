#!/usr/bin/env node
// A folder of audio in, CLS and patch-token embeddings as .npy out at each of the reference's granularities, through
// `cat-audio embed`; then the .npy files read back, their shapes, and how similar the clips are.
import { readdir } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type NpyArray, referenceFbank } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';
import { MODEL_NAMES, type ModelName } from '@cat/layers';
import {
  audioPatchCount,
  CLIPS_FOLDER,
  embedArguments,
  GRANULARITIES,
  meanOfRows,
  readEmbeddings,
  runEmbed,
  similarityTable,
} from './embed.js';

const HELP = `pnpm --filter @example/embed start -- [IN] [OUT] [options]

Embeds every audio file of IN (default: this example's three clips) with \`cat-audio embed\` at the three
granularities (all = [1+N, D] CLS then patch tokens, utterance = [1, D] CLS, frame = [N, D] patch tokens) into
OUT/<granularity>/<clip>.npy (default OUT: runs/embed), reads them back and prints their shapes and the cosine
similarities of the clips' CLS vectors and mean patch tokens.

  --weights FILE      a checkpoint (pre-training layout: the student; or fine-tuned), e.g. the reference's
                      CAT-base converted to safetensors, or runs/demo/pretrain/last.safetensors after pnpm demo
  --teacher           embed with a pre-training checkpoint's EMA teacher instead of the student
  --init-seed S       a random initialisation instead of --weights (untrained: the numbers carry no meaning)
  --model NAME        ${MODEL_NAMES.join(', ')} (default cat-base)
  --target-length N   frames after pad/crop, a multiple of 16 (default 1024 = 10.24 s, N = 512 patches)
  --backend NAME      auto, wasm, cpu, tensorflow, tensorflow-gpu (default auto)

Without --weights and --init-seed the model is an untrained cat-tiny from seed 1. Relative paths are taken from
the folder pnpm was started in.`;

/** The program's arguments; a leading `--` (which `pnpm start -- …` passes through) is dropped. */
function programArguments(): string[] {
  const args = process.argv.slice(2);
  return args[0] === '--' ? args.slice(1) : args;
}

async function run(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: programArguments(),
    allowPositionals: true,
    options: {
      weights: { type: 'string' },
      teacher: { type: 'boolean' },
      'init-seed': { type: 'string' },
      model: { type: 'string' },
      'target-length': { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 2) throw new Error(`expected at most IN and OUT, got ${positionals.length} paths`);
  // `pnpm --filter` runs scripts in this package's folder; INIT_CWD is where the user typed the command.
  const base = process.env.INIT_CWD ?? process.cwd();
  const path = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const shown = (p: string) => relative(base, p) || '.';
  const input = positionals[0] === undefined ? CLIPS_FOLDER : path(positionals[0]);
  const output = path(positionals[1] ?? 'runs/embed');
  const untrained = values.weights === undefined && values['init-seed'] === undefined;
  const options = {
    input,
    weights: values.weights === undefined ? undefined : path(values.weights),
    teacher: values.teacher,
    initSeed: untrained ? 1 : values['init-seed'] === undefined ? undefined : Number(values['init-seed']),
    model: (values.model ?? (untrained ? 'cat-tiny' : 'cat-base')) as ModelName,
    targetLength: values['target-length'] === undefined ? undefined : Number(values['target-length']),
    backend: values.backend === 'auto' ? undefined : values.backend, // the CLI's default
  };
  if (untrained)
    console.error('no --weights: an UNTRAINED cat-tiny (seed 1); shapes are right, values meaningless');

  for (const granularity of GRANULARITIES) {
    const target = join(output, granularity);
    const args = embedArguments({ ...options, granularity, input: shown(input), output: shown(target) });
    if (options.weights !== undefined) args[args.indexOf('--weights') + 1] = shown(options.weights);
    console.log(`$ pnpm cat-audio ${args.join(' ')}`);
    const started = Date.now();
    await runEmbed({ ...options, granularity, output: target });
    const seconds = (Date.now() - started) / 1000;
    const embeddings = await readEmbeddings(target);
    for (const [name, array] of embeddings) {
      console.log(`  ${name}.npy  ${array.dtype} [${array.shape.join(', ')}]`);
    }
    console.log(`  ${embeddings.size} clips in ${seconds.toFixed(1)} s`);
  }

  // Utterance vectors three ways: the CLS token, the mean of all patch tokens, and the mean of the patch tokens
  // that cover audio (a short clip is mostly padding in a 10.24 s window).
  const all = await readEmbeddings(join(output, 'all'));
  const targetLength = options.targetLength ?? 1024;
  const covered = new Map<string, number>();
  for (const file of await readdir(input)) {
    const name = basename(file, extname(file));
    if (!all.has(name)) continue;
    const audio = await readAudioFile(join(input, file));
    const frames = referenceFbank(audio.samples, audio.sampleRate).frames;
    covered.set(name, audioPatchCount(frames, targetLength));
    console.log(
      `  ${name}: ${(audio.samples.length / audio.sampleRate).toFixed(2)} s, ${frames} frames, ${covered.get(name)} patch tokens cover audio`,
    );
  }
  const tables: [string, (name: string, array: NpyArray) => Float64Array][] = [
    ['the CLS vectors (utterance)', (_, array) => meanOfRows(array, 0, 1)],
    ['the mean of all patch tokens (frame)', (_, array) => meanOfRows(array, 1)],
    [
      'the mean of the patch tokens that cover audio',
      (name, array) => meanOfRows(array, 1, 1 + covered.get(name)!),
    ],
  ];
  for (const [title, pool] of tables) {
    console.log(`\ncosine similarity of ${title}`);
    const vectors = new Map([...all].map(([name, array]) => [name, pool(name, array)]));
    for (const line of similarityTable(vectors)) console.log(line);
  }
  return 0;
}

run().then(
  (status) => {
    process.exitCode = status;
  },
  (error: Error) => {
    console.error(`embed example: ${error.message}`);
    process.exitCode = 1;
  },
);
