import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What can be written: one buffer or string, or chunks (e.g. tensor by tensor) so a large file needs no big copy. */
export type FileContent = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** A fresh hidden name beside `path`, so the final rename stays within one file system. */
function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `content` to an open file and flushes it to disk. */
export async function writeAndSync(handle: FileHandle, content: FileContent): Promise<number> {
  let bytes = 0;
  if (typeof content === 'string' || content instanceof Uint8Array) {
    const buffer = typeof content === 'string' ? Buffer.from(content) : content;
    await handle.writeFile(buffer);
    bytes = buffer.byteLength;
  } else {
    for await (const chunk of content) {
      await handle.writeFile(chunk);
      bytes += chunk.byteLength;
    }
  }
  await handle.sync();
  return bytes;
}

/** fsync a directory so a rename in it survives a power loss; not possible on every platform, hence best effort. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or fsync a directory; the rename itself is still atomic there.
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces `path` with `content` so that readers (and a process killed midway) see either the old file or the
 * complete new one: write a temporary file in the same folder, fsync it, rename it over `path`, fsync the folder.
 * Returns the number of bytes written.
 */
export async function writeFileAtomic(path: string, content: FileContent): Promise<number> {
  const temporary = temporaryPathFor(path);
  let bytes: number;
  try {
    const handle = await open(temporary, 'wx');
    try {
      bytes = await writeAndSync(handle, content);
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new Error(`could not write ${path}: ${(error as Error).message}`, { cause: error });
  }
  await syncDirectory(dirname(path));
  return bytes;
}

/** `writeFileAtomic` of a value as indented JSON with a final newline. */
export function writeJsonAtomic(path: string, value: unknown): Promise<number> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
