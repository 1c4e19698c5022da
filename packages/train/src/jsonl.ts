import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';

/**
 * Appends one JSON object per line, each written straight to the file (no buffering in the process), so a killed
 * run loses at most the line being written.
 */
export class JsonlWriter {
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a+');
    // A run killed mid-line left a torn last line: start on a fresh line so the next record stays parsable.
    const size = fstatSync(this.fd).size;
    const last = Buffer.alloc(1);
    if (size > 0 && readSync(this.fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a)
      writeSync(this.fd, '\n');
  }

  append(record: Record<string, unknown>): void {
    if (this.fd === null) throw new Error(`${this.path}: append after close`);
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * The records of a JSONL file, in order. Lines that do not parse as a JSON object (a line torn by a kill) are
 * skipped; an absent file has no records.
 */
export function readJsonl(path: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) records.push(value);
    } catch {
      // torn line
    }
  }
  return records;
}
