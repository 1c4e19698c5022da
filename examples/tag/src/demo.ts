#!/usr/bin/env node
// Audio in, the top-k AudioSet classes with their place in the ontology out, through `cat-audio tag`. Without a
// checkpoint of your own it first fits a demonstration model on rendered instrument notes to tag with.
import { mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareBackend } from '@cat/layers';
import { assetPath, GUITAR_CLIP, loadAudioSet } from './audioset.js';
import { fitProbeHead, writeClassifier, writeUntrainedCheckpoint } from './checkpoint.js';
import { buildNoteManifests, FAMILY_CLASSES } from './notes.js';
import { parseTagOutput, runTag, tagArguments, withOntology } from './tag.js';

const HELP = `pnpm --filter @example/tag start -- [options] [AUDIO...]

Tags audio files (default: a guitar recording and three held-out instrument notes) with the top-k AudioSet classes
through \`cat-audio tag\`, and shows where each class sits in the AudioSet ontology.

  --weights FILE      your fine-tuned checkpoint (reference fine-tuned layout, e.g. an AudioSet-2M CAT-base
                      converted to safetensors); without it a demonstration model is made first: a frozen cat-tiny
                      encoder with a 527-class head fitted on rendered instrument notes (a linear probe)
  --model NAME|FILE   the checkpoint's model when its metadata does not name it (cat-base, ...)
  --target-length N   frames per clip (default: 1024 with --weights, 128 for the demonstration model)
  --top K             classes per file (default 5)
  --out DIR           where the demonstration data and model go (default runs/tag)
  --init FILE         the demonstration model's encoder from a pre-trained checkpoint, e.g.
                      runs/demo/pretrain/last.safetensors after \`pnpm demo\` (default: random, seed 1)
  --untrained         no fitting: an untrained cat-tiny with a random 527-class head (scores meaningless)
  --backend NAME      auto, wasm, cpu, tensorflow, tensorflow-gpu (default auto)

Relative paths are taken from the folder pnpm was started in.`;

/** Frames the demonstration model is fitted on: 1.28 s, the held part of the 2 s notes. */
const DEMO_TARGET_LENGTH = 128;
/** Held-out notes tagged by default: one each of three families whose programs never appear in training. */
const DEFAULT_TEST_FAMILIES = ['piano', 'brass', 'reed'];

async function defaultTestNotes(csv: string): Promise<string[]> {
  const rows = (await readFile(csv, 'utf8')).trim().split('\n').slice(1);
  const folder = resolve(csv, '..');
  return DEFAULT_TEST_FAMILIES.map((family) => {
    const row = rows.find((line) => line.includes(`/test/${family}/`));
    if (row === undefined) throw new Error(`${csv}: no test note of the family ${family}`);
    return join(folder, row.slice(0, row.indexOf(',')));
  });
}

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
      model: { type: 'string' },
      'target-length': { type: 'string' },
      top: { type: 'string', default: '5' },
      out: { type: 'string', default: 'runs/tag' },
      init: { type: 'string' },
      untrained: { type: 'boolean' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  // `pnpm --filter` runs scripts in this package's folder; INIT_CWD is where the user typed the command.
  const base = process.env.INIT_CWD ?? process.cwd();
  const path = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const shown = (p: string) => relative(base, p) || '.';
  const whole = (name: string, text: string | undefined) => {
    const n = Number(text);
    if (text !== undefined && !(Number.isInteger(n) && n > 0))
      throw new Error(`--${name} must be a whole number > 0, got '${text}'`);
    return text === undefined ? undefined : n;
  };
  const top = whole('top', values.top)!;
  const started = Date.now();
  const log = (line: string) =>
    console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

  const tables = await loadAudioSet();
  const out = path(values.out!);
  let weights: string;
  let targetLength = whole('target-length', values['target-length']);
  // Default input: the bundled guitar recording, plus held-out notes when the demonstration model is trained.
  const files = positionals.length > 0 ? positionals.map(path) : [assetPath(GUITAR_CLIP)];
  if (values.weights !== undefined) {
    weights = path(values.weights);
  } else {
    targetLength ??= DEMO_TARGET_LENGTH;
    await mkdir(out, { recursive: true });
    const backend = await prepareBackend({ backend: values.backend as 'auto' });
    log(`backend ${backend.name}`);
    if (values.untrained) {
      weights = join(out, 'untrained.safetensors');
      await writeUntrainedCheckpoint(weights, tables);
      log(`${shown(weights)}: an UNTRAINED cat-tiny with a random 527-class head — its labels mean nothing`);
    } else {
      log(`rendering SoundFont notes into ${shown(join(out, 'data'))} (AudioSet labels: class + ancestors)`);
      const manifests = await buildNoteManifests(tables, {
        dir: join(out, 'data'),
        trainPerClass: 24,
        testPerClass: 8,
      });
      log(
        `${manifests.clips.train} training notes, ${manifests.clips.test} held-out notes (other GM programs)`,
      );
      const { classifier, test } = await fitProbeHead(
        {
          train: manifests.train,
          test: manifests.test,
          tables,
          init: values.init === undefined ? undefined : path(values.init),
          targetLength,
          log,
        },
        Object.values(FAMILY_CLASSES),
      );
      if (test) {
        log(
          `held-out notes: mAP ${test.mAP.toFixed(3)} over the classes they carry; the right instrument class ` +
            `ranks first among the 10 for ${(100 * test.leafAccuracy).toFixed(1)}% of them (chance 10%)`,
        );
      }
      weights = join(out, 'notes-probe.safetensors');
      await writeClassifier(weights, classifier, tables.labels);
      classifier.dispose();
      log(`wrote ${shown(weights)}`);
      if (positionals.length === 0) files.push(...(await defaultTestNotes(manifests.test)));
    }
  }
  const options = {
    weights,
    files,
    top,
    targetLength,
    model: values.model,
    backend: values.backend === 'auto' ? undefined : values.backend, // the CLI's default
  };
  const equivalent = tagArguments({ ...options, weights: shown(weights), files: files.map(shown) });
  log(`$ pnpm cat-audio ${equivalent.join(' ')}`);
  const tagStarted = Date.now();
  const { lines } = await runTag(options);
  log(`tagged ${files.length} file(s) in ${((Date.now() - tagStarted) / 1000).toFixed(1)} s`);
  const tagged = parseTagOutput(lines).map((entry) => ({ ...entry, file: shown(entry.file) }));
  for (const line of withOntology(tagged, tables)) console.log(line);
  return 0;
}

run().then(
  (status) => {
    process.exitCode = status;
  },
  (error: Error) => {
    console.error(`tag example: ${error.message}`);
    process.exitCode = 1;
  },
);
