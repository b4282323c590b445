/**
 * The commander root: global flags, help with the exit-code table, and one loop that registers
 * every command definition (STYLE.md §2).
 */
import { Command, Option } from 'commander';
import { COMMANDS } from './commands/index.js';
import type { AnyCommand, FlagSpec } from './commands/define.js';
import { GLOBAL_FLAGS } from './commands/global.js';
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
  return new Option(spec.flags, spec.env ? `${spec.description} (env: ${spec.env})` : spec.description);
}

function register(root: Command, def: AnyCommand, deps: Deps, state: RunState): void {
  const cmd = root.command(def.name).description(def.summary).allowExcessArguments(false);
  for (const spec of Object.values(def.flags)) cmd.addOption(option(spec));
  const formats = ['text', ...(def.render.json ? ['json', 'yaml'] : []), ...(def.render.env ? ['env'] : [])];
  if (formats.length > 1) {
    cmd.addOption(new Option('--format <format>', `output format: ${formats.join(', ')} (default: text)`));
    if (def.render.json) cmd.addOption(new Option('--json', 'same as --format json'));
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
    // Loaded on use: --help should not pay for the runner's imports.
    const { runCommand } = await import('./commands/runner.js');
    await runCommand(def, command, root, deps, state);
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
  for (const def of COMMANDS) register(root, def, deps, state);
  return { command: root, state };
}
