import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareImports, manifestTargets, packageOfSpecifier, readTarball, unwantedReason } from './tarball.js';

// The checks pack-install.test.ts applies to every tarball, shown failing where they must.

/** A ustar header block for a regular file ('0') or a PAX header ('x'). */
function header(name: string, size: number, type: '0' | 'x', prefix = ''): Uint8Array {
  const block = new Uint8Array(512);
  const put = (text: string, at: number) => block.set(new TextEncoder().encode(text), at);
  put(name, 0);
  put('0000644\0', 100);
  put(`${size.toString(8).padStart(11, '0')}\0`, 124);
  put(type, 156);
  put('ustar\0', 257);
  put(prefix, 345);
  return block;
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

describe('readTarball', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pack-install-tar-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads names (plain, ustar prefix, PAX path) and contents, without the package/ folder', async () => {
    const readme = new TextEncoder().encode('# hello\n');
    const long = `package/${'d/'.repeat(60)}deep.js`;
    // A PAX record is "<its own length> path=<name>\n"; here 3 length digits + ' path=' + '\n' = 10 more bytes.
    const pax = new TextEncoder().encode(`${long.length + 10} path=${long}\n`);
    const tar = [
      header('package/README.md', readme.length, '0'),
      padded(readme),
      header('index.d.ts', 0, '0', 'package/dist'),
      header('PaxHeader', pax.length, 'x'),
      padded(pax),
      header('ignored-name', 1, '0'),
      padded(new Uint8Array([42])),
      new Uint8Array(1024),
    ];
    const path = join(dir, 'x.tgz');
    await writeFile(path, gzipSync(Buffer.concat(tar)));
    const files = readTarball(path);
    expect([...files.keys()]).toEqual(['README.md', 'dist/index.d.ts', long.slice('package/'.length)]);
    expect(new TextDecoder().decode(files.get('README.md')!.data)).toBe('# hello\n');
    expect(files.get('README.md')!.mode).toBe(0o644);
  });

  it('rejects a truncated archive, naming the file', async () => {
    const path = join(dir, 'short.tgz');
    await writeFile(path, gzipSync(Buffer.concat([header('package/a.js', 4000, '0'), new Uint8Array(100)])));
    expect(() => readTarball(path)).toThrow(/short\.tgz: truncated tar entry/);
  });
});

describe('tarball content rules', () => {
  it('flags test files, reports, node_modules, dev scripts and build configuration', () => {
    for (const path of [
      'test/fbank.test.ts',
      'src/fbank.test.ts',
      'src/__tests__/a.ts',
      'test/__fixtures__/a.wav',
      '.vitest-report.json',
      'node_modules/meyda/package.json',
      'scripts/make-fixtures.py',
      'bench/fbank.mjs',
      '.turbo/turbo-build.log',
      'tsconfig.json',
      'tsup.config.ts',
      'vitest.config.ts',
    ]) {
      expect(unwantedReason(path), path).toBeDefined();
    }
    for (const path of [
      'dist/index.js',
      'dist/index.d.cts',
      'src/fbank/bench.ts',
      'src/fbank/kernel/dsp-kernel.c',
    ]) {
      expect(unwantedReason(path), path).toBeUndefined();
    }
    expect(unwantedReason('assets/guit_harmonics_16k.wav')).toBeUndefined();
  });

  it('lists every file a manifest points at', () => {
    expect(
      manifestTargets({
        name: '@cat/x',
        version: '1.0.0',
        main: './dist/index.cjs',
        bin: { x: './dist/bin.js' },
        exports: { '.': { import: { types: './dist/index.d.ts', default: './dist/index.js' } } },
      }),
    ).toEqual(['dist/index.cjs', 'dist/bin.js', 'dist/index.d.ts', 'dist/index.js']);
  });

  it('finds the packages a bundle imports, builtins excluded', () => {
    const code = [
      'import { a } from "@cat/frontend/node";',
      "import 'side-effect';",
      'const b = require("meyda");',
      'const c = await import("@tensorflow/tfjs");',
      'import { d } from "./chunk-X.js";',
      'import { readFile } from "fs/promises";',
      'import { join } from "node:path";',
    ].join('\n');
    const packages = bareImports(code).map(packageOfSpecifier).filter(Boolean).sort();
    expect(packages).toEqual(['@cat/frontend', '@tensorflow/tfjs', 'meyda', 'side-effect']);
  });
});
