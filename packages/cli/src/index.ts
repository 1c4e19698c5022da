export { type Command, type CommandContext, type OptionSpec, UsageError } from './command.js';
export { commands } from './commands/index.js';
export { type MainIO, main } from './main.js';
