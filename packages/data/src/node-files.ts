import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Reads a UTF-8 text file; `.gz` files are decompressed first. */
export async function readTextFile(path: string): Promise<string> {
  const bytes = await readFile(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/**
 * Relative paths (`/`-separated, sorted) of the files below `root` whose extension is in `extensions`
 * (case-insensitive; all files when omitted). Hidden entries (starting with `.`) are skipped.
 */
export async function listFiles(root: string, extensions?: readonly string[]): Promise<string[]> {
  const wanted = extensions?.map((extension) => `.${extension.toLowerCase()}`);
  const found: string[] = [];
  const visit = async (relative: string): Promise<void> => {
    const entries = await readdir(relative === '' ? root : join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) await visit(path);
      else if (
        entry.isFile() &&
        (wanted === undefined || wanted.some((ext) => entry.name.toLowerCase().endsWith(ext)))
      ) {
        found.push(path);
      }
    }
  };
  await visit('');
  return found.sort();
}
