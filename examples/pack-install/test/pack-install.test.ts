import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FbankLoader, loadAnyDataset } from '@cat/data/node';
import { decodeAudio, type Fbank, NORMALIZATION_PRESETS, referenceFbank } from '@cat/frontend';
import { readAudioFile, readNpyFile, writeFileAtomic, writeJsonAtomic } from '@cat/frontend/node';
import { countEncoderParams, embed, modelPreset, prepareBackend } from '@cat/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPM_INSTALL, REPO, requireIsolated, requireRegistry, run, typeCheck } from './run.js';
import {
  bareImports,
  manifestTargets,
  type PackedManifest,
  packageOfSpecifier,
  readTarball,
  type TarEntry,
  unwantedReason,
} from './tarball.js';

// Packs every @cat package as it would be published (`pnpm pack` turns workspace:^ into real versions),
// installs the tarballs with npm into empty projects under the OS temp folder, outside the workspace, and uses
// them there as ESM, as CommonJS and from TypeScript. In-repo results come from the packages' sources (the
// vitest aliases), so the installed builds are compared with the code they were built from.

const PACKAGES = ['frontend', 'layers', 'data', 'ssl', 'regularize', 'train', 'cli'];
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const CONSUMER = fileURLToPath(new URL('../consumer/', import.meta.url));
const WAV = join(FIXTURES, 'guit_harmonics_16k.wav');
const COMPRESSED = ['flac_s16.flac', 'vorbis_mono.ogg', 'mp3_mono.mp3'];
const CAT_TINY_PARAMETERS = 5_580_320; // cat-tiny's trainable encoder parameters (cat-weights.md §6: 5.5803 M)

interface Packed {
  tarball: string;
  manifest: PackedManifest;
  files: Map<string, TarEntry>;
}

let root: string;
const packed = new Map<string, Packed>();

function packedOf(name: string): Packed {
  const found = packed.get(name);
  if (!found) throw new Error(`${name} was not packed (see the beforeAll error)`);
  return found;
}

/** The tarballs of a package and of every @cat package it depends on, none of which is on npm. */
function tarballsWithCatDependencies(name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const { tarball, manifest } = packedOf(name);
  const cat = Object.keys(manifest.dependencies ?? {}).filter((dep) => dep.startsWith('@cat/'));
  return [tarball, ...cat.flatMap((dep) => tarballsWithCatDependencies(dep, seen))];
}

/** An empty npm project (a package.json only) in a new folder of the temp root. */
async function emptyProject(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  requireIsolated(dir);
  await writeJsonAtomic(join(dir, 'package.json'), { name: `pack-install-${name}`, private: true });
  return dir;
}

async function npmInstall(dir: string, specs: string[]): Promise<void> {
  await run('npm', [...NPM_INSTALL, ...specs], dir, 240_000);
  // Exits non-zero on a missing, invalid or conflicting (peer) dependency anywhere in the tree.
  await run('npm', ['ls', '--all'], dir);
}

async function copyConsumer(dir: string, ...names: string[]): Promise<void> {
  for (const name of names) await copyFile(join(CONSUMER, name), join(dir, name));
}

/** Every folder under `dir` whose name matches, found by walking (nested node_modules included). */
async function findFolders(dir: string, match: RegExp): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (match.test(entry.name)) found.push(path);
    found.push(...(await findFolders(path, match)));
  }
  return found;
}

async function writeTsconfig(
  dir: string,
  name: string,
  resolution: 'node16' | 'bundler',
  files: string[],
  types: string[],
): Promise<string> {
  // `lib` is left to its default, as in a fresh project; the packages' declarations are type-checked.
  const compilerOptions = {
    target: 'ES2022',
    module: resolution === 'node16' ? 'node16' : 'esnext',
    moduleResolution: resolution,
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    // TypeScript's own lib files are not what is under test, and checking them doubles the time.
    skipDefaultLibCheck: true,
    types,
  };
  await writeJsonAtomic(join(dir, name), { compilerOptions, files });
  return name;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** The import specifiers of a package's entry points, from its exports map ('.' -> the name). */
function entryPoints(manifest: PackedManifest): string[] {
  return Object.keys(manifest.exports ?? { '.': null }).map((key) =>
    key === '.' ? manifest.name : `${manifest.name}${key.slice(1)}`,
  );
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cat-pack-install-'));
  requireIsolated(root);
  await requireRegistry(root);
  const destination = join(root, 'tarballs');
  for (const name of PACKAGES) {
    const dir = join(REPO, 'packages', name);
    if (!existsSync(join(dir, 'dist'))) {
      throw new Error(`${dir}/dist is missing: build first (pnpm build, or pnpm test which builds)`);
    }
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', destination, '--json'], dir);
    const tarball = (JSON.parse(stdout) as { filename: string }).filename;
    const files = readTarball(tarball);
    const manifestFile = files.get('package.json');
    if (!manifestFile) throw new Error(`${tarball}: no package.json`);
    const manifest = JSON.parse(new TextDecoder().decode(manifestFile.data)) as PackedManifest;
    packed.set(manifest.name, { tarball, manifest, files });
  }
}, 120_000);

afterAll(async () => {
  // Nothing is kept between runs (set KEEP_PACK_INSTALL=1 to look at the projects after a failure).
  if (root && !process.env.KEEP_PACK_INSTALL) await rm(root, { recursive: true, force: true });
});

describe.each(PACKAGES.map((name) => `@cat/${name}`))('the %s tarball', (name) => {
  it('holds a README, a package.json and the built dist, and nothing unwanted', () => {
    const { files } = packedOf(name);
    const paths = [...files.keys()];
    expect(paths, `${name}: README.md`).toContain('README.md');
    expect(paths.some((path) => path.startsWith('dist/') && path.endsWith('.js'))).toBe(true);
    expect(paths.some((path) => path.startsWith('dist/') && path.endsWith('.cjs'))).toBe(true);
    expect(paths.some((path) => path.startsWith('dist/') && path.endsWith('.d.ts'))).toBe(true);
    expect(paths.some((path) => path.startsWith('dist/') && path.endsWith('.d.cts'))).toBe(true);
    const unwanted = paths.filter(unwantedReason).map((path) => `${path}: ${unwantedReason(path)}`);
    expect(unwanted, `${name}: files that should not be published`).toEqual([]);
  });

  it('has a publishable package.json: no workspace: protocol, a files list, every target present', () => {
    const { manifest, files } = packedOf(name);
    expect(manifest.name).toBe(name);
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    expect(manifest.files, `${name}: "files"`).toBeInstanceOf(Array);
    // pnpm pack writes workspace:^ as ^<version of the packed workspace package>.
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        if (dep.startsWith('@cat/'))
          expect(range, `${name} ${field}.${dep}`).toBe(`^${packedOf(dep).manifest.version}`);
      }
    }
    const missing = manifestTargets(manifest).filter((target) => !files.has(target));
    expect(missing, `${name}: main/module/types/bin/exports targets missing from the tarball`).toEqual([]);
    for (const [entry, conditions] of Object.entries(manifest.exports ?? {})) {
      expect(conditions, `${name} exports["${entry}"]`).toEqual({
        import: { types: expect.stringMatching(/\.d\.ts$/), default: expect.stringMatching(/\.js$/) },
        require: { types: expect.stringMatching(/\.d\.cts$/), default: expect.stringMatching(/\.cjs$/) },
      });
    }
    for (const bin of Object.values(
      typeof manifest.bin === 'string' ? { bin: manifest.bin } : (manifest.bin ?? {}),
    )) {
      const script = files.get(bin.replace(/^\.\//, ''));
      expect(new TextDecoder().decode(script?.data.subarray(0, 20)), `${name} bin ${bin}`).toMatch(
        /^#!\/usr\/bin\/env node\n/,
      );
    }
  });

  it('imports at run time only packages its package.json declares', () => {
    const { manifest, files } = packedOf(name);
    const declared = new Set([
      manifest.name,
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
    ]);
    const undeclared: string[] = [];
    for (const [path, { data }] of files) {
      if (!/^dist\/.*\.c?js$/.test(path)) continue;
      for (const specifier of bareImports(new TextDecoder().decode(data))) {
        const dependency = packageOfSpecifier(specifier);
        if (dependency && !declared.has(dependency)) undeclared.push(`${path} imports ${specifier}`);
      }
    }
    expect(undeclared, `${name}: imports of undeclared packages`).toEqual([]);
  });
});

describe('@cat/frontend installed alone', () => {
  let project: string;
  beforeAll(async () => {
    project = await emptyProject('frontend');
    await npmInstall(project, tarballsWithCatDependencies('@cat/frontend'));
  }, 300_000);

  it('brings no tfjs at all', async () => {
    expect(existsSync(join(project, 'node_modules/@cat/frontend/package.json'))).toBe(true);
    expect(existsSync(join(project, 'node_modules/@tensorflow'))).toBe(false);
    expect(await findFolders(join(project, 'node_modules'), /tensorflow|tfjs/)).toEqual([]);
  });

  it('computes the in-repo fbank of a real WAV and the in-repo decodes through import and require', async () => {
    const clips = COMPRESSED.map((file) => join(FIXTURES, file));
    await copyConsumer(project, 'frontend.mjs', 'frontend.cjs');
    await Promise.all(
      ['esm', 'cjs'].map(async (format) => {
        await mkdir(join(project, format));
        await run(
          process.execPath,
          [`frontend.${format === 'esm' ? 'mjs' : 'cjs'}`, format, WAV, ...clips],
          project,
        );
      }),
    );
    const audio = await readAudioFile(WAV);
    const expected = referenceFbank(audio.samples, audio.sampleRate);
    expect([expected.frames, expected.bins]).toEqual([351, 128]);
    const torchaudio = await readNpyFile(join(FIXTURES, 'guit_harmonics_16k.fbank.npy'));
    for (const format of ['esm', 'cjs']) {
      const installed = await readNpyFile(join(project, format, 'fbank.npy'));
      expect(installed.shape, format).toEqual([351, 128]);
      expect(installed.data, `${format} fbank = in-repo fbank`).toEqual(expected.data);
      const vsTorchaudio = maxAbsDiff(installed.data, torchaudio.data);
      expect(vsTorchaudio, `${format} fbank vs torchaudio`).toBeLessThanOrEqual(1e-3);
      console.info(`${format}: max |installed fbank - torchaudio| = ${vsTorchaudio.toExponential(2)}`);
      for (const [file, vsSoundfile] of [
        ['flac_s16.flac', 0],
        ['vorbis_mono.ogg', 5e-6],
        ['mp3_mono.mp3', 5e-6],
      ] as const) {
        const decoded = await decodeAudio(new Uint8Array(await readFile(join(FIXTURES, file))), {
          source: file,
        });
        const installedSamples = (await readNpyFile(join(project, format, `${file}.npy`))).data;
        expect(installedSamples, `${format} ${file} = in-repo decode`).toEqual(decoded.samples);
        const soundfile = (await readNpyFile(join(FIXTURES, `${file}.expected.npy`))).data;
        expect(maxAbsDiff(installedSamples, soundfile), `${format} ${file} vs soundfile`).toBeLessThanOrEqual(
          vsSoundfile,
        );
      }
    }
  });

  it('type-checks against the installed declarations (node16 ESM and CJS, bundler)', async () => {
    // A Node user of @cat/frontend/node has Node's types; added only now, after the no-tfjs check.
    await run('npm', [...NPM_INSTALL, '--no-save', '@types/node@^20'], project, 240_000);
    await copyConsumer(project, 'frontend-types.mts', 'frontend-types.cts');
    const files = ['frontend-types.mts', 'frontend-types.cts'];
    await Promise.all([
      typeCheck(project, await writeTsconfig(project, 'tsconfig.node16.json', 'node16', files, ['node'])),
      typeCheck(
        project,
        await writeTsconfig(project, 'tsconfig.bundler.json', 'bundler', [files[0]], ['node']),
      ),
    ]);
  });
});

describe('@cat/layers installed with plain @tensorflow/tfjs', () => {
  const frames = 64;
  let project: string;
  let fbank: Fbank;
  beforeAll(async () => {
    project = await emptyProject('layers');
    await npmInstall(project, ['@tensorflow/tfjs@^4.22.0', ...tarballsWithCatDependencies('@cat/layers')]);
    const audio = await readAudioFile(WAV);
    fbank = referenceFbank(audio.samples, audio.sampleRate, {
      targetLength: frames,
      normalize: NORMALIZATION_PRESETS.audioset,
    });
    const bytes = new Uint8Array(fbank.data.buffer, fbank.data.byteOffset, fbank.data.byteLength);
    await writeFileAtomic(join(project, 'input.f32'), bytes);
  }, 300_000);

  it('installs tfjs from npm and no @cat package but @cat/layers', async () => {
    expect(await readdir(join(project, 'node_modules/@cat'))).toEqual(['layers']);
    const tfjs = JSON.parse(
      await readFile(join(project, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8'),
    );
    expect(tfjs.version).toMatch(/^4\./);
  });

  it('builds cat-tiny from a seed and encodes a real fbank as the in-repo encoder does, cpu and wasm, ESM and CJS', async () => {
    await prepareBackend({ backend: 'cpu' });
    const expected = embed(fbank.data, { model: 'cat-tiny', seed: 7, granularity: 'all' });
    expect(expected.shape).toEqual([1 + (frames / 16) * 8, 192]);
    // The comparison means something only if the output does: finite and spread out.
    const mean = expected.data.reduce((sum, value) => sum + value, 0) / expected.data.length;
    const spread = Math.sqrt(
      expected.data.reduce((sum, value) => sum + (value - mean) ** 2, 0) / expected.data.length,
    );
    expect(expected.data.every(Number.isFinite)).toBe(true);
    expect(spread).toBeGreaterThan(0.1);
    expect(countEncoderParams(modelPreset('cat-tiny').encoder).encoder).toBe(CAT_TINY_PARAMETERS);

    await copyConsumer(project, 'layers.mjs', 'layers.cjs');
    const scripts = ['layers.mjs', 'layers.cjs'];
    const outputs = scripts.map((script) => join(project, `${script}.json`));
    await Promise.all(
      scripts.map((script, i) =>
        run(process.execPath, [script, 'input.f32', String(frames), outputs[i], 'cpu', 'wasm'], project),
      ),
    );
    for (const [i, script] of scripts.entries()) {
      const out = outputs[i];
      const result = JSON.parse(await readFile(out, 'utf8')) as {
        parameters: { encoder: number };
        runs: {
          asked: string;
          prepared: string;
          active: string;
          tokensShape: number[];
          cls: number[];
          tokens: number[];
        }[];
      };
      expect(result.parameters.encoder, script).toBe(CAT_TINY_PARAMETERS);
      expect(result.runs.map((r) => [r.asked, r.prepared, r.active])).toEqual([
        ['cpu', 'cpu', 'cpu'],
        ['wasm', 'wasm', 'wasm'],
      ]);
      for (const r of result.runs) {
        expect(r.tokensShape).toEqual([1, (frames / 16) * 8, 192]);
        const diff = maxAbsDiff([...r.cls, ...r.tokens], expected.data);
        // The same code on the same backend gives the same floats; wasm sums in another order (the package's
        // own cpu-vs-wasm limit is 1e-4).
        expect(diff, `${script} on ${r.asked}: max |installed - in-repo|`).toBeLessThanOrEqual(
          r.asked === 'cpu' ? 1e-5 : 1e-4,
        );
        console.info(`${script} on ${r.asked}: max |installed - in-repo| = ${diff.toExponential(2)}`);
      }
    }
  });

  it('type-checks against the installed declarations with tfjs (node16 ESM and CJS, bundler)', async () => {
    await copyConsumer(project, 'layers-types.mts', 'layers-types.cts');
    const files = ['layers-types.mts', 'layers-types.cts'];
    await Promise.all([
      typeCheck(project, await writeTsconfig(project, 'tsconfig.node16.json', 'node16', files, [])),
      typeCheck(project, await writeTsconfig(project, 'tsconfig.bundler.json', 'bundler', [files[0]], [])),
    ]);
  });
});

describe('every other @cat package added to the @cat/layers project', () => {
  let project: string;
  let entries: string[];
  beforeAll(async () => {
    // Reuses the project above (adding packages to a project is what users do, and a second fresh copy of
    // tfjs would be another 300 MB to write); npm adds the tfjs peers the others declare.
    project = join(root, 'layers');
    const tarballs = PACKAGES.map((name) => packedOf(`@cat/${name}`).tarball);
    await npmInstall(project, [...tarballs, '@types/node@^20']);
    entries = PACKAGES.flatMap((name) => entryPoints(packedOf(`@cat/${name}`).manifest));
  }, 300_000);
  it('loads every entry point with import and with require, exporting what the sources export', async () => {
    await copyConsumer(project, 'entries.mjs', 'entries.cjs');
    const esm = JSON.parse((await run(process.execPath, ['entries.mjs', ...entries], project)).stdout);
    const cjs = JSON.parse((await run(process.execPath, ['entries.cjs', ...entries], project)).stdout);
    for (const entry of entries) {
      const source = Object.keys(await import(/* @vite-ignore */ entry)).sort();
      expect(source.length, entry).toBeGreaterThan(0);
      expect(esm[entry], `${entry} (import)`).toEqual(source);
      expect(cjs[entry], `${entry} (require)`).toEqual(source);
    }
  });

  it('batches fbanks in a worker thread of the installed @cat/data as the in-repo loader does in-process', async () => {
    const clips = join(project, 'clips');
    await mkdir(clips);
    await copyFile(WAV, join(clips, 'guitar.wav'));
    await copyFile(join(FIXTURES, 'flac_s16.flac'), join(clips, 'tone.flac'));
    await copyConsumer(project, 'data.mjs', 'data.cjs');
    const frames = 64;
    const scripts = ['data.mjs', 'data.cjs'];
    await Promise.all(
      scripts.map((script) =>
        run(process.execPath, [script, clips, String(frames), `${script}.json`], project),
      ),
    );
    const { kind, dataset } = await loadAnyDataset(clips);
    expect(kind).toBe('audio-folder');
    // No worker here: the sources have no built worker script, and batches do not depend on the worker count.
    const loader = new FbankLoader(dataset, {
      batchSize: 2,
      targetLength: frames,
      workers: 0,
      minSamples: 0,
      seed: 3,
      log: () => {},
    });
    const expected: { ids: string[]; inputs: number[] }[] = [];
    for await (const batch of loader.epoch())
      expected.push({ ids: batch.ids, inputs: Array.from(batch.inputs) });
    await loader.close();
    expect(expected.map((batch) => [batch.ids.length, batch.inputs.length])).toEqual([[2, 2 * frames * 128]]);
    const [first, second] = [
      expected[0].inputs.slice(0, frames * 128),
      expected[0].inputs.slice(frames * 128),
    ];
    expect(maxAbsDiff(first, second)).toBeGreaterThan(1);
    for (const script of scripts) {
      const installed = JSON.parse(await readFile(join(project, `${script}.json`), 'utf8'));
      expect(installed.kind, script).toBe('audio-folder');
      // The loader says so when it cannot find its worker script next to its module and decodes in-process.
      expect(
        installed.log.filter((line: string) => /worker/i.test(line)),
        script,
      ).toEqual([]);
      expect(installed.batches, `${script} batches = in-repo batches`).toEqual(expected);
    }
  });

  it('runs the cat-audio command, which gives the in-repo fbank', async () => {
    const bin = join(project, 'node_modules/.bin/cat-audio');
    expect((await run(bin, ['--help'], project)).stdout).toMatch(/^Usage: cat-audio <command>/);
    await run(bin, ['fbank', WAV, 'clip.npy'], project);
    const audio = await readAudioFile(WAV);
    const installed = await readNpyFile(join(project, 'clip.npy'));
    expect(installed.shape).toEqual([351, 128]);
    expect(installed.data).toEqual(referenceFbank(audio.samples, audio.sampleRate).data);
  });

  it('type-checks every entry point against the installed declarations (node16 ESM and CJS)', async () => {
    const lines = (extension: string) => [
      '// Generated by pack-install.test.ts: every entry point, each required to be typed (not any).',
      'type IsAny<T> = 0 extends 1 & T ? true : false;',
      ...entries.map((entry, i) => `import * as e${i} from '${entry}';`),
      ...entries.map((entry, i) => `export const t${i}: IsAny<typeof e${i}> = false; // ${entry}`),
      `// ${extension}`,
    ];
    await writeFileAtomic(join(project, 'entries.mts'), lines('ESM').join('\n'));
    await writeFileAtomic(join(project, 'entries.cts'), lines('CommonJS').join('\n'));
    const config = await writeTsconfig(
      project,
      'tsconfig.all.json',
      'node16',
      ['entries.mts', 'entries.cts'],
      ['node'],
    );
    await typeCheck(project, config);
  });
});
