/**
 * Tagging through the command line itself: `cat-audio tag` (run in-process through @cat/cli's `main`, exactly
 * what `pnpm cat-audio tag …` runs), its output read back and each class placed in the AudioSet ontology.
 */
import { main } from '@cat/cli';
import { type AudioSetTables, formatOntologyPath } from './audioset.js';

export interface TagOptions {
  /** A fine-tuned checkpoint (reference `finetuned` safetensors layout). */
  weights: string;
  files: string[];
  /** Classes per file (default 5). */
  top?: number;
  /** Frames after pad/crop; the length the model was fine-tuned with (default: the CLI's 1024). */
  targetLength?: number;
  /** `cat-base`, … or an encoder-config JSON, when the checkpoint does not name its model. */
  model?: string;
  backend?: string;
}

/** The `cat-audio tag` arguments for these options. */
export function tagArguments(options: TagOptions): string[] {
  const args = ['tag', '--weights', options.weights, '--top', String(options.top ?? 5)];
  if (options.targetLength !== undefined) args.push('--target-length', String(options.targetLength));
  if (options.model !== undefined) args.push('--model', options.model);
  if (options.backend !== undefined) args.push('--backend', options.backend);
  return [...args, ...options.files];
}

export interface TaggedClass {
  /** Sigmoid of the logit, as printed (4 decimals). */
  score: number;
  name: string;
  /** The class key: an AudioSet MID for AudioSet heads. */
  key: string;
}

export interface TaggedFile {
  file: string;
  classes: TaggedClass[];
}

/** One class line of `cat-audio tag`: two spaces, the score, two spaces, the display name, the key in brackets. */
const CLASS_LINE = /^ {2}(\d+\.\d+) {2}(.*) \(([^()]+)\)$/;

/** Reads `cat-audio tag`'s output: a file name, then its class lines. */
export function parseTagOutput(lines: readonly string[]): TaggedFile[] {
  const files: TaggedFile[] = [];
  for (const line of lines) {
    const match = CLASS_LINE.exec(line);
    if (match === null) {
      files.push({ file: line, classes: [] });
      continue;
    }
    const current = files.at(-1);
    if (current === undefined) throw new Error(`cat-audio tag: a class line before any file name: '${line}'`);
    current.classes.push({ score: Number(match[1]), name: match[2], key: match[3] });
  }
  return files;
}

/** Runs `cat-audio tag` with these options; throws with the command's own message when it fails. */
export async function runTag(options: TagOptions): Promise<{ lines: string[]; log: string[] }> {
  const lines: string[] = [];
  const log: string[] = [];
  const status = await main(tagArguments(options), {
    stdout: (line) => lines.push(line),
    stderr: (line) => log.push(line),
  });
  if (status !== 0) throw new Error(log.join('\n') || `cat-audio tag exited with status ${status}`);
  return { lines, log };
}

/** The tag output with each class's place in the ontology under it (`    Music › Musical instrument › …`). */
export function withOntology(files: readonly TaggedFile[], tables: AudioSetTables): string[] {
  const out: string[] = [];
  for (const { file, classes } of files) {
    out.push(file);
    for (const { score, name, key } of classes) {
      out.push(`  ${score.toFixed(4)}  ${name} (${key})`);
      if (tables.ontology.get(key) !== undefined)
        out.push(`          ${formatOntologyPath(tables.ontology, key)}`);
    }
  }
  return out;
}
