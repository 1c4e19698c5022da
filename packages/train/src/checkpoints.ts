import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type FileContent, syncDirectory, writeAndSync } from '@cat/frontend/node';

/** The completion marker: written last, so a checkpoint folder without it was never finished. */
export const CHECKPOINT_MARKER = 'checkpoint.json';
const STEP_FOLDER = /^step-(\d+)$/;
const LEFTOVER = /^\.step-\d+\..*\.(tmp|old)$/;

/** A complete checkpoint on disk. */
export interface CheckpointInfo {
  step: number;
  /** Absolute or root-relative folder holding the files. */
  dir: string;
  metrics: Record<string, number>;
  /** File name → size in bytes, as written. */
  files: Record<string, number>;
  savedAt: string;
}

/** Writes the files of one checkpoint into its (still temporary) folder. */
export interface CheckpointWriter {
  readonly dir: string;
  writeFile(name: string, content: FileContent): Promise<void>;
  writeJson(name: string, value: unknown): Promise<void>;
}

export interface CheckpointRetention {
  /** Keep the newest k checkpoints; all when absent. */
  keepLast?: number;
  /** Also keep the k best by `bestMetric` (0 when absent). */
  keepBest?: number;
  bestMetric?: string;
  /** Whether a larger metric is better (mAP, accuracy) or a smaller one (loss); `max` when absent. */
  bestMode?: 'max' | 'min';
}

/** `step-000123`: zero-padded so folders sort by step. */
export function checkpointFolderName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * A folder of checkpoints `root/step-000123/`, each complete or absent: files are written into a hidden temporary
 * folder, fsynced, the marker is written last, and the folder is renamed into place. A process killed at any point
 * leaves the previous checkpoints readable. One writer per root.
 */
export class CheckpointDirectory {
  constructor(
    readonly root: string,
    private readonly retention: CheckpointRetention = {},
  ) {
    const { keepLast, keepBest = 0, bestMetric } = retention;
    if (keepLast !== undefined && !(Number.isInteger(keepLast) && keepLast >= 1)) {
      throw new Error(`checkpoints in ${root}: keepLast must be an integer >= 1, got ${keepLast}`);
    }
    if (!(Number.isInteger(keepBest) && keepBest >= 0)) {
      throw new Error(`checkpoints in ${root}: keepBest must be an integer >= 0, got ${keepBest}`);
    }
    if (keepBest > 0 && !bestMetric) throw new Error(`checkpoints in ${root}: keepBest needs bestMetric`);
  }

  /**
   * Saves checkpoint `step`: `write` puts the files in place through the writer, then the checkpoint is completed
   * (replacing an earlier one of the same step) and old ones are pruned.
   */
  async save(
    step: number,
    write: (writer: CheckpointWriter) => Promise<void>,
    metrics: Record<string, number> = {},
  ): Promise<CheckpointInfo> {
    if (!(Number.isInteger(step) && step >= 0))
      throw new Error(`checkpoint step must be an integer >= 0, got ${step}`);
    const name = checkpointFolderName(step);
    await mkdir(this.root, { recursive: true });
    const temporary = join(this.root, `.${name}.${uniqueSuffix()}.tmp`);
    await mkdir(temporary);
    const files: Record<string, number> = {};
    const writeInto = async (file: string, content: FileContent) => {
      const handle = await open(join(temporary, file), 'wx');
      try {
        return await writeAndSync(handle, content);
      } finally {
        await handle.close();
      }
    };
    const writer: CheckpointWriter = {
      dir: temporary,
      writeFile: async (file, content) => {
        if (file === CHECKPOINT_MARKER || !/^[\w.-]+$/.test(file) || file.startsWith('.')) {
          throw new Error(`checkpoint ${name}: invalid file name ${JSON.stringify(file)}`);
        }
        if (file in files) throw new Error(`checkpoint ${name}: ${file} written twice`);
        files[file] = await writeInto(file, content);
      },
      writeJson: (file, value) => writer.writeFile(file, `${JSON.stringify(value, null, 2)}\n`),
    };
    const info: CheckpointInfo = {
      step,
      dir: join(this.root, name),
      metrics,
      files,
      savedAt: new Date().toISOString(),
    };
    try {
      await write(writer);
      const { dir: _dir, ...marker } = info;
      await writeInto(CHECKPOINT_MARKER, `${JSON.stringify(marker, null, 2)}\n`);
      await syncDirectory(temporary);
      await this.moveIntoPlace(temporary, info.dir, name);
    } catch (error) {
      await rm(temporary, { recursive: true, force: true });
      throw error;
    }
    await syncDirectory(this.root);
    await this.prune();
    return info;
  }

  /** Complete checkpoints, oldest first; folders without a valid marker or with missing/short files are ignored. */
  async list(): Promise<CheckpointInfo[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const found: CheckpointInfo[] = [];
    for (const entry of entries) {
      const match = STEP_FOLDER.exec(entry);
      if (!match) continue;
      const info = await readComplete(join(this.root, entry), Number(match[1]));
      if (info) found.push(info);
    }
    return found.sort((a, b) => a.step - b.step);
  }

  /** The newest complete checkpoint, the one to resume from. */
  async latest(): Promise<CheckpointInfo | undefined> {
    return (await this.list()).at(-1);
  }

  /** The complete checkpoint with the best `bestMetric`. */
  async best(): Promise<CheckpointInfo | undefined> {
    return this.ranked(await this.list())[0];
  }

  /**
   * Deletes complete checkpoints outside keep-last and keep-best, and the temporary folders of interrupted saves.
   * Returns the deleted folders.
   */
  async prune(): Promise<string[]> {
    const all = await this.list();
    const { keepLast, keepBest = 0 } = this.retention;
    const keep = new Set<number>(
      keepLast === undefined ? all.map((c) => c.step) : all.slice(-keepLast).map((c) => c.step),
    );
    for (const c of this.ranked(all).slice(0, keepBest)) keep.add(c.step);
    const removed: string[] = [];
    for (const c of all) {
      if (keep.has(c.step)) continue;
      await rm(c.dir, { recursive: true, force: true });
      removed.push(c.dir);
    }
    for (const entry of await readdir(this.root)) {
      if (!LEFTOVER.test(entry)) continue;
      await rm(join(this.root, entry), { recursive: true, force: true });
      removed.push(join(this.root, entry));
    }
    return removed;
  }

  private ranked(all: CheckpointInfo[]): CheckpointInfo[] {
    const { bestMetric, bestMode = 'max' } = this.retention;
    if (!bestMetric) return [];
    const sign = bestMode === 'max' ? -1 : 1;
    return all
      .filter((c) => Number.isFinite(c.metrics[bestMetric]))
      .sort((a, b) => sign * (a.metrics[bestMetric] - b.metrics[bestMetric]) || b.step - a.step);
  }

  // A rename cannot replace a non-empty folder: move the old one aside first. A kill in between leaves the old
  // checkpoint under a leftover name (removed by the next prune) and the earlier checkpoints intact.
  private async moveIntoPlace(temporary: string, target: string, name: string): Promise<void> {
    const aside = join(this.root, `.${name}.${uniqueSuffix()}.old`);
    let moved = false;
    try {
      await rename(target, aside);
      moved = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await rename(temporary, target);
    if (moved) await rm(aside, { recursive: true, force: true });
  }
}

async function readComplete(dir: string, step: number): Promise<CheckpointInfo | undefined> {
  let marker: Omit<CheckpointInfo, 'dir'>;
  try {
    marker = JSON.parse(await readFile(join(dir, CHECKPOINT_MARKER), 'utf8'));
  } catch {
    return undefined;
  }
  if (marker?.step !== step || typeof marker.files !== 'object' || marker.files === null) return undefined;
  for (const [file, size] of Object.entries(marker.files)) {
    try {
      if ((await stat(join(dir, file))).size !== size) return undefined;
    } catch {
      return undefined;
    }
  }
  return { step, dir, metrics: marker.metrics ?? {}, files: marker.files, savedAt: marker.savedAt };
}
