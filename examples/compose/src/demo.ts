#!/usr/bin/env node
// A model of your own from CAT's blocks, trained on real rendered notes, saved and loaded back.
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareBackend } from '@cat/layers';
import { buildDemoDataset } from '@example/quickstart';
import { loadLabelledFbanks } from './data.js';
import { loadModel, saveModel } from './io.js';
import { buildComposedModel } from './model.js';
import { evaluate, predict, trainModel } from './train.js';

const HELP = `pnpm --filter @example/compose start -- [--epochs 8] [--per-class 20] [--out runs/compose] [--backend wasm]

Renders instrument notes (10 GM families; the test notes are played by other GM programs), builds a model from
@cat/layers blocks (multi-resolution block, LayerNorm) and tf.layers (GRU, Dense), trains it with @cat/train's AdamW,
evaluates it on the held-out notes, saves it in tfjs's format (OUT/model/model.json + weights.bin), loads it back
and checks that the loaded model predicts exactly the same. Relative paths are taken from where pnpm was started.`;

const FRAMES = 128;

/** The program's arguments; a leading `--` (which `pnpm start -- …` passes through) is dropped. */
function programArguments(): string[] {
  const args = process.argv.slice(2);
  return args[0] === '--' ? args.slice(1) : args;
}

async function run(): Promise<number> {
  const { values } = parseArgs({
    args: programArguments(),
    options: {
      epochs: { type: 'string', default: '8' },
      'per-class': { type: 'string', default: '20' },
      out: { type: 'string', default: 'runs/compose' },
      backend: { type: 'string', default: 'wasm' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const epochs = Number(values.epochs);
  const perClass = Number(values['per-class']);
  if (!(Number.isInteger(epochs) && epochs > 0 && Number.isInteger(perClass) && perClass > 0)) {
    throw new Error('--epochs and --per-class must be whole numbers > 0');
  }
  const base = process.env.INIT_CWD ?? process.cwd();
  const out = isAbsolute(values.out!) ? values.out! : resolve(base, values.out!);
  const started = Date.now();
  const log = (line: string) =>
    console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

  const backend = await prepareBackend({ backend: values.backend as 'wasm' });
  log(`@cat/layers prepareBackend: ${backend.name} (${backend.reason})`);

  const data = await buildDemoDataset({
    dir: join(out, 'data'),
    seed: 0,
    trainPerClass: perClass,
    testPerClass: 8,
    sonicPiRecordings: 0,
  });
  const train = await loadLabelledFbanks(data.train, { frames: FRAMES });
  const test = await loadLabelledFbanks(data.test, { frames: FRAMES, classes: train.classes });
  log(
    `@example/quickstart + @cat/data + @cat/frontend: ${train.labels.length} training and ${test.labels.length} ` +
      `held-out notes in ${relative(base, join(out, 'data'))}, fbanks [${FRAMES}, 128], ${train.classes.length} classes`,
  );

  const model = buildComposedModel({ numClasses: train.classes.length, frames: FRAMES });
  log(`model: ${model.countParams()} parameters`);
  model.summary(100, undefined, (line: string) => console.log(`    ${line}`));

  const before = evaluate(model, test);
  log(`held-out before training: loss ${before.loss.toFixed(3)}, accuracy ${before.accuracy.toFixed(3)}`);
  trainModel(model, train, {
    epochs,
    batchSize: 16,
    onEpoch: (epoch, loss) => log(`epoch ${epoch + 1}/${epochs}: training loss ${loss.toFixed(3)}`),
  });
  const trained = evaluate(model, train);
  const after = evaluate(model, test);
  log(`training notes: loss ${trained.loss.toFixed(3)}, accuracy ${trained.accuracy.toFixed(3)}`);
  log(`held-out notes: loss ${after.loss.toFixed(3)}, accuracy ${after.accuracy.toFixed(3)} (chance 0.100)`);

  const dir = join(out, 'model');
  await saveModel(model, dir, train.classes);
  const { model: loaded, classes } = await loadModel(dir);
  const a = predict(model, test);
  const b = predict(loaded, test);
  let worst = 0;
  a.forEach((value, i) => {
    worst = Math.max(worst, Math.abs(value - b[i]));
  });
  log(
    `saved to ${relative(base, dir)}/ (model.json + weights.bin) and loaded back: ${classes.length} classes,`,
  );
  log(`  largest difference between the two models' held-out probabilities: ${worst}`);
  model.dispose();
  loaded.dispose();
  return worst === 0 ? 0 : 1;
}

run().then(
  (status) => {
    process.exitCode = status;
  },
  (error: Error) => {
    console.error(`compose example: ${error.message}`);
    process.exitCode = 1;
  },
);
