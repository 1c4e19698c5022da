/** Runs `cat-audio` commands in this process, through the command line's own entry point. */
import { main } from '@cat/cli';

export interface Output {
  /** Results (one line each). */
  stdout: (line: string) => void;
  /** Progress, summaries and warnings. */
  stderr: (line: string) => void;
}

/** Lines written to two streams (default: the process's stdout and stderr). */
export function streamOutput(
  streams: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } } = process,
): Output {
  return {
    stdout: (line) => streams.stdout.write(`${line}\n`),
    stderr: (line) => streams.stderr.write(`${line}\n`),
  };
}

/** Shell-quoted, so the printed command can be pasted. */
export function shellCommand(args: readonly string[]): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
  return ['cat-audio', ...args].map(quote).join(' ');
}

/**
 * `cat-audio <args>` as the installed command runs it; prints the command first (to stderr) so a run can be
 * repeated by hand, and returns its result lines. A non-zero exit status is an error.
 */
export async function catAudio(args: string[], output: Output): Promise<string[]> {
  output.stderr(`$ ${shellCommand(args)}`);
  const lines: string[] = [];
  const status = await main(args, {
    stdout: (line) => {
      lines.push(line);
      output.stderr(`  ${line}`);
    },
    stderr: output.stderr,
  });
  if (status !== 0) throw new Error(`${shellCommand(args)} failed with exit status ${status}`);
  return lines;
}
