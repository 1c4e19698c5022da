export { main, type MainIO } from './main.js';
export { type Command, type CommandContext, type OptionSpec, UsageError } from './command.js';
export { commands } from './commands/index.js';
