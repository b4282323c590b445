/**
 * The commander root: global flags, help with the exit-code table, and one loop that registers
 * every command (STYLE.md §2). Commands are registered from their specs (src/commands/command-specs.ts,
 * data in the bundle): help needs no command module, and a command loads its full definition (core
 * and output imports) only when it runs.
 */
import { Command, Option } from 'commander';
import type { FlagSpec } from './commands/define.js';
import { GLOBAL_FLAGS } from './commands/global.js';
import { COMMAND_SPECS } from './commands/command-specs.js';
import type { CommandSpec } from './commands/spec.js';
import { createRunState, type RunState } from './commands/run-state.js';
import type { Deps } from './deps.js';
import { EXIT_CODE_HELP } from './errors.js';
import { isFormat } from './output/mode.js';

export interface Program {
  command: Command;
  /** How the run would print, as far as parsing got; main uses it to print an error. */
  state: RunState;
}

export function exitCodeHelp(): string {
  const rows = EXIT_CODE_HELP.map(([code, meaning]) => `  ${String(code).padEnd(5)}${meaning}`);
  return `\nExit codes:\n${rows.join('\n')}\n`;
}

function option(spec: FlagSpec): Option {
  const o = new Option(spec.flags, spec.env ? `${spec.description} (env: ${spec.env})` : spec.description);
  return spec.repeatable ? o.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]) : o;
}

function register(root: Command, def: CommandSpec, deps: Deps, state: RunState): void {
  const cmd = root.command(def.name).description(def.summary).allowExcessArguments(false);
  for (const spec of Object.values(def.flags)) cmd.addOption(option(spec));
  const formats = def.formats;
  if (formats.length > 1) {
    cmd.addOption(new Option('--format <format>', `output format: ${formats.join(', ')} (default: text)`));
    if (formats.includes('json')) cmd.addOption(new Option('--json', 'same as --format json'));
  }
  // Remember the format while parsing, so even a parse error prints in the format asked for.
  cmd.on('option:format', (value: string) => {
    if (isFormat(value)) state.format = value;
  });
  cmd.on('option:json', () => {
    state.format = 'json';
  });
  cmd.addHelpText('after', `${def.helpAfter ?? ''}${exitCodeHelp()}`);
  // commander passes the positional arguments first, then the options, then the command itself.
  cmd.action(async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    // Loaded on use: --help should not pay for the runner's imports, nor for any command's.
    const [{ runCommand }, definition] = await Promise.all([import('./commands/runner.js'), def.load()]);
    await runCommand(definition, command, root, deps, state);
  });
}

export function createProgram(deps: Deps): Program {
  const state = createRunState(deps);
  const root = new Command('aistudio-key')
    .description('Create Yandex Cloud AI Studio API keys: a service account, its roles on a folder, and a scoped API key.')
    .version(deps.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void deps.stdout.write(text),
      writeErr: (text) => void deps.stderr.write(text),
      // main prints errors (one line, in the chosen format); commander stays quiet.
      outputError: () => undefined,
    })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: true })
    .addHelpText('after', exitCodeHelp());
  for (const spec of Object.values(GLOBAL_FLAGS)) root.addOption(option(spec));
  root.on('option:debug', () => {
    state.debug = true;
  });
  for (const spec of COMMAND_SPECS) register(root, spec, deps, state);
  return { command: root, state };
}
