/**
 * @csfle/cli — the `csfle` command and the library functions behind it (scriptable from code).
 */
export * from './commands.js';
export { resolveConfig, describeConfig, type CliConfig, type ConfigInput } from './config.js';
export { createCliContext, type CliContext } from './context.js';
export { main, terminalIo, checkCommandLine, COMMANDS, ExitCodes, type Io } from './main.js';
export { inspectTopic, type InspectedRecord, type InspectOptions } from './inspect.js';
