import { Argument, type Option } from 'commander';
import { completionScript, SHELLS, type CompletionCommand, type CompletionOption, type CompletionSpec, type Shell } from '../core/completion.js';
import type { CommandContext } from './context.js';
import { defineCommand, type Zod } from './define.js';
import { GLOBAL_FLAGS } from './global.js';
import { HELP_TOPIC_NAMES } from '../help-topics.js';
import { commandOptions, HELP_COMMAND, HELP_FLAG, optionOf, PROGRAM_NAME, VERSION_FLAG } from './options.js';
import type { CommandSpecData } from './spec.js';

/** The validated input of `completion`. */
export interface CompletionInput {
  shell: Shell;
}

export interface CompletionResult {
  shell: Shell;
  script: string;
}

/** `<path>`, `<jwt|@file>`: a value completed with file names. */
const FILE_VALUE = /<[^>]*(path|file)[^>]*>/;

function optionSpec(o: Option, choices?: readonly string[]): CompletionOption {
  const names = [o.short, o.long].filter((n): n is string => typeof n === 'string');
  const value: CompletionOption['value'] = !o.required && !o.optional ? 'none' : FILE_VALUE.test(o.flags) ? 'file' : 'any';
  return { names, description: o.description, value, ...(choices && value !== 'none' ? { choices } : {}) };
}

/** A command as the program registers it: its name and positional arguments, its options (src/commands/options.ts). */
function commandOf(spec: CommandSpecData): CompletionCommand {
  const [name = spec.name, ...args] = spec.name.split(' ');
  return {
    name,
    description: spec.summary,
    options: commandOptions(spec).map((o) => optionSpec(o, o.argChoices)),
    args: args
      .map((a) => new Argument(a))
      .map((a) => ({ name: a.name(), variadic: a.variadic, choices: spec.args?.[a.name()]?.choices ?? a.argChoices })),
  };
}

/**
 * Describes the program from the specs it registers: every command, its flags and arguments, the
 * root's flags (-V, the global flags; -h, which commander handles on every command), and the help
 * command, which takes a command name or a help topic.
 */
export function completionSpec(specs: readonly CommandSpecData[]): CompletionSpec {
  const commands = specs.map(commandOf);
  const [helpName = 'help', helpArg = ''] = HELP_COMMAND.name.split(' ');
  const help: CompletionCommand = {
    name: helpName,
    description: HELP_COMMAND.description,
    options: [],
    args: [{ name: new Argument(helpArg).name(), variadic: false, choices: [...commands.map((c) => c.name), ...HELP_TOPIC_NAMES] }],
  };
  const globalOptions = [VERSION_FLAG, ...Object.values(GLOBAL_FLAGS), HELP_FLAG].map((f) => optionSpec(optionOf(f)));
  return { program: PROGRAM_NAME, globalOptions, commands: [...commands, help] };
}

const HELP = `
Prints a completion script for every command and flag (generated from the commands themselves, so it
matches this version).

  bash   source <(aistudio-key completion bash)            # or save it in ~/.local/share/bash-completion/completions/aistudio-key
  zsh    source <(aistudio-key completion zsh)             # after compinit; or save it as _aistudio-key in your $fpath
  fish   aistudio-key completion fish | source             # or save it in ~/.config/fish/completions/aistudio-key.fish
`;

export const completionCommand = defineCommand({
  name: 'completion <shell>',
  summary: 'Print a shell completion script (bash, zsh or fish)',
  helpAfter: HELP,
  flags: {},
  args: { shell: { choices: SHELLS } },
  input: (z: Zod) =>
    z.pipe(
      // The runner has checked <shell> against args.shell.choices (the same SHELLS).
      z.object({ shell: z.enum(SHELLS) }),
      z.transform((raw): CompletionInput => ({ shell: raw.shell })),
    ),
  run: runCompletion,
  render: {
    text: (r: CompletionResult, out) => out.line(r.script.replace(/\n$/, '')),
    // Generated from our own command tree: a script, whose newlines and tabs must stay.
    ownText: true,
  },
});

async function runCompletion(input: CompletionInput, ctx: CommandContext): Promise<CompletionResult> {
  return { shell: input.shell, script: completionScript(completionSpec(ctx.commands), input.shell) };
}
