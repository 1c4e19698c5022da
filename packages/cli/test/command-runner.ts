import { type Command, commandHelp, parseCommandArgs, UsageError } from '../src/command.js';

/** Runs one command as `cat-audio` would (help, usage errors → 2, other errors → 1), capturing its output. */
export async function runCommand(command: Command, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let status: number;
  if (args.includes('--help')) {
    out.push(commandHelp(command));
    status = 0;
  } else {
    try {
      const { values, positionals } = parseCommandArgs(command, args);
      status =
        (await command.run({
          values,
          positionals,
          stdout: (l) => out.push(l),
          stderr: (l) => err.push(l),
        })) ?? 0;
    } catch (error) {
      err.push((error as Error).message);
      status = error instanceof UsageError ? 2 : 1;
    }
  }
  return { status, out: out.join('\n'), err: err.join('\n'), lines: out };
}
