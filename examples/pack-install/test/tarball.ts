import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { gunzipSync } from 'node:zlib';

/** One regular file of a package tarball, by its path inside the package (the `package/` prefix removed). */
export interface TarEntry {
  mode: number;
  data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

function field(header: Uint8Array, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function octal(header: Uint8Array, start: number, length: number, source: string): number {
  const text = field(header, start, length).trim();
  const value = Number.parseInt(text || '0', 8);
  if (!Number.isFinite(value)) throw new Error(`${source}: bad octal field "${text}" in a tar header`);
  return value;
}

/** The `path` record of a PAX extended header, which overrides the next entry's name. */
function paxPath(data: Uint8Array): string | undefined {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(decoder.decode(data.subarray(at, space)));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = decoder.decode(data.subarray(space + 1, at + length - 1));
    if (record.startsWith('path=')) return record.slice(5);
    at += length;
  }
  return undefined;
}

/**
 * Reads the regular files of an npm package tarball (gzipped ustar, as `pnpm pack` and `npm pack` write).
 * Read here rather than with a `tar` binary so the test checks exactly the bytes npm would unpack.
 */
export function readTarball(path: string): Map<string, TarEntry> {
  const tar = gunzipSync(readFileSync(path));
  const files = new Map<string, TarEntry>();
  let nextName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = octal(header, 124, 12, path);
    const type = String.fromCharCode(header[156] || 0x30);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    if (data.length !== size) throw new Error(`${path}: truncated tar entry at byte ${at}`);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      nextName = paxPath(data);
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(header, 345, 155);
    const name = nextName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    nextName = undefined;
    if (type !== '0') continue;
    const slash = name.indexOf('/');
    if (slash < 0) throw new Error(`${path}: entry "${name}" is outside the package folder`);
    files.set(name.slice(slash + 1), { mode: octal(header, 100, 8, path), data });
  }
  return files;
}

export interface PackedManifest {
  name: string;
  version: string;
  files?: string[];
  main?: string;
  module?: string;
  types?: string;
  bin?: string | Record<string, string>;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Every file path a manifest points at (main, module, types, bin, and each leaf of the exports map). */
export function manifestTargets(manifest: PackedManifest): string[] {
  const targets: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit([manifest.main, manifest.module, manifest.types, manifest.bin, manifest.exports]);
  return targets.map((target) => target.replace(/^\.\//, ''));
}

/** Why a file should not be in a published tarball, or undefined when it may be. */
export function unwantedReason(path: string): string | undefined {
  if (/(^|\/)node_modules\//.test(path)) return 'node_modules';
  if (/(^|\/)(test|tests|__tests__|__fixtures__|fixtures)\//.test(path)) return 'a test folder';
  if (/\.(test|spec|bench)\.[cm]?[jt]sx?$/.test(path)) return 'a test file';
  if (/(^|\/)\.vitest-report\.json$/.test(path)) return 'a vitest report';
  if (/(^|\/)(\.turbo|\.exp|coverage)\//.test(path)) return 'build or experiment output';
  if (/\.tsbuildinfo$|(^|\/)\.DS_Store$|\.tmp$|\.log$/.test(path)) return 'a stray build or temp file';
  if (/^(bench|scripts)\//.test(path)) return 'a development script';
  if (/^(tsconfig[^/]*\.json|tsup\.config\.[cm]?[jt]s|vitest\.config\.[cm]?[jt]s)$/.test(path))
    return 'build configuration';
  return undefined;
}

const BUILTINS = new Set(builtinModules);

/** The package a bare import specifier names (`@scope/name/sub` -> `@scope/name`), or undefined for builtins. */
export function packageOfSpecifier(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Bare specifiers a built JavaScript file imports or requires with a string literal. */
export function bareImports(code: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\bfrom\s*["']([^"'./][^"']*)["']/g,
    /\bimport\s*["']([^"'./][^"']*)["']/g,
    /\bimport\(\s*["']([^"'./][^"']*)["']\s*\)/g,
    /\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.add(match[1]);
  return [...found];
}
