import { type Command, commandHelp, parseCommandArgs, UsageError } from './command.js';
import { commands } from './commands/index.js';

export interface MainIO {
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
}

function overview(prefix: string[] = []): string {
  const shown = commands.filter((c) => prefix.every((word, i) => c.path[i] === word));
  const width = Math.max(...shown.map((c) => c.path.join(' ').length));
  return [
    `Usage: cat-audio ${prefix.length ? `${prefix.join(' ')} ` : ''}<command> [options]`,
    '',
    'Commands:',
    ...shown.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    `Run 'cat-audio <command> --help' for a command's options.`,
  ].join('\n');
}

/** The longest command whose words start `argv`. */
function findCommand(argv: string[]): Command | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, i) => argv[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best;
}

/** Run the command line; returns the exit status. */
export async function main(argv: string[], io: MainIO = {}): Promise<number> {
  const stdout = io.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stderr = io.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  const command = findCommand(argv);
  if (!command) {
    const group = commands.filter((c) => c.path.length > 1 && c.path[0] === argv[0]);
    const asksHelp = argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help';
    if (asksHelp) {
      stdout(overview());
      return 0;
    }
    if (group.length > 0) {
      const rest = argv.slice(1);
      const helpOnly = rest.length === 0 || rest[0] === '--help' || rest[0] === '-h';
      (helpOnly ? stdout : stderr)(
        helpOnly
          ? overview([argv[0]])
          : `cat-audio: unknown command '${argv.slice(0, 2).join(' ')}'\n\n${overview([argv[0]])}`,
      );
      return helpOnly ? 0 : 2;
    }
    stderr(`cat-audio: unknown command '${argv[0]}'\n\n${overview()}`);
    return 2;
  }
  const args = argv.slice(command.path.length);
  if (args.includes('--help') || args.includes('-h')) {
    stdout(commandHelp(command));
    return 0;
  }
  const name = `cat-audio ${command.path.join(' ')}`;
  try {
    const { values, positionals } = parseCommandArgs(command, args);
    return (await command.run({ values, positionals, stdout, stderr })) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      stderr(`${name}: ${error.message}\nRun '${name} --help' for usage.`);
      return 2;
    }
    stderr(`${name}: ${(error as Error).message}`);
    if (process.env.CAT_AUDIO_DEBUG) stderr(String((error as Error).stack));
    return 1;
  }
}
