/**
 * The commander root: global flags, help with examples and pointers to the help topics, and one loop that registers
 * every command (STYLE.md §2). Commands are registered from their specs (src/commands/command-specs.ts,
 * data in the bundle): help needs no command module, and a command loads its full definition (core
 * and output imports) only when it runs.
 */
import { Command } from 'commander';
import { GLOBAL_FLAGS } from './commands/global.js';
import { commandOptions, HELP_COMMAND, HELP_FLAG, optionOf, PROGRAM_NAME, VERSION_FLAG } from './commands/options.js';
import { COMMAND_SPECS } from './commands/command-specs.js';
import type { RunOverride } from './commands/runner.js';
import type { CommandSpec } from './commands/spec.js';
import { createRunState, type RunState } from './commands/run-state.js';
import type { Deps } from './deps.js';
import { SEE_ALSO } from './help-topics.js';
import { isFormat } from './output/mode.js';

/**
 * How a test runs the program: `runOverride` is called with each command's validated input instead
 * of its `run` (the parse-contract tests' spy; see commands/runner.ts).
 */
export interface ProgramOptions {
  runOverride?: RunOverride;
}

export interface Program {
  command: Command;
  /** How the run would print, as far as parsing got; main uses it to print an error. */
  state: RunState;
}

/** After the root's help: what a person types first, and where the rest is. */
const ROOT_HELP = `
Examples:
  aistudio-key create --folder-id b1g0123456789abcdefg      # a key with the AI Studio preset
  aistudio-key create --format secret | gh secret set YC_API_KEY
  aistudio-key create --dry-run                             # the plan; nothing changes
  aistudio-key list                                         # the keys aistudio-key made
  aistudio-key rotate <key-id>                              # a new key on the same account
  aistudio-key whoami                                       # which credential and folder would be used

More help:
  aistudio-key <command> --help        one command: what it does, its flags, examples
  aistudio-key help environment        global options, environment variables, where settings come from
  aistudio-key help exit-codes         what each exit code means
`;

function register(root: Command, def: CommandSpec, deps: Deps, state: RunState, options: ProgramOptions): void {
  const cmd = root.command(def.name).description(def.summary).allowExcessArguments(false);
  for (const o of commandOptions(def)) cmd.addOption(o);
  // Remember the format while parsing, so even a parse error prints in the format asked for.
  cmd.on('option:format', (value: string) => {
    if (isFormat(value)) state.format = value;
  });
  cmd.on('option:json', () => {
    state.format = 'json';
  });
  // The global options and the exit codes are on the root page and the help topics, not repeated here.
  cmd.addHelpText('after', `${def.helpAfter ?? ''}${SEE_ALSO}`);
  // commander passes the positional arguments first, then the options, then the command itself.
  cmd.action(async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    // Loaded on use: --help should not pay for the runner's imports, nor for any command's.
    const [{ runCommand }, definition] = await Promise.all([import('./commands/runner.js'), def.load()]);
    await runCommand(definition, command, root, deps, state, options.runOverride);
  });
}

export function createProgram(deps: Deps, options: ProgramOptions = {}): Program {
  const state = createRunState(deps);
  const root = new Command(PROGRAM_NAME)
    .description('Create Yandex Cloud AI Studio API keys: a service account, its roles on a folder, and a scoped API key.')
    .version(deps.version, VERSION_FLAG.flags, VERSION_FLAG.description)
    .helpOption(HELP_FLAG.flags, HELP_FLAG.description)
    .helpCommand(HELP_COMMAND.name, HELP_COMMAND.description)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void deps.stdout.write(text),
      writeErr: (text) => void deps.stderr.write(text),
      // main prints errors (one line, in the chosen format); commander stays quiet.
      outputError: () => undefined,
    })
    .configureHelp({ sortSubcommands: true })
    .addHelpText('after', ROOT_HELP);
  for (const spec of Object.values(GLOBAL_FLAGS)) root.addOption(optionOf(spec));
  root.on('option:debug', () => {
    state.debug = true;
  });
  root.on('option:no-color', () => {
    state.noColor = true;
  });
  for (const spec of COMMAND_SPECS) register(root, spec, deps, state, options);
  return { command: root, state };
}
