import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTextFile } from '../src/node-files.js';

/** Absolute path of a file in `test/__fixtures__/`. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
}

export function readFixture(name: string): Promise<string> {
  return readTextFile(fixturePath(name));
}

/** Creates a temporary folder holding `files` (relative path → contents); returns it and a cleanup. */
export async function temporaryTree(
  files: Record<string, string>,
): Promise<{ root: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'cat-data-'));
  for (const [path, contents] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), contents);
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
