import type { Command, Option } from 'commander';
import { CONFIG_KEYS } from '../core/config.js';
import { completionScript, SHELLS, type CompletionCommand, type CompletionOption, type CompletionSpec, type Shell } from '../core/completion.js';
import { CONFIG_ACTIONS } from './config.js';
import type { CommandContext } from './context.js';
import { defineCommand, type AnyCommand, type Zod } from './define.js';
import { formatsOf } from './spec.js';

/** The validated input of `completion`. */
export interface CompletionInput {
  shell: Shell;
}

export interface CompletionResult {
  shell: Shell;
  script: string;
}

/**
 * Values of positional arguments, by `<command>.<argument>`. Commander arguments carry no choices
 * here, so they are named once, from the same constants the commands' own schemas check against.
 */
const ARGUMENT_CHOICES: Readonly<Record<string, readonly string[]>> = {
  'config.action': CONFIG_ACTIONS,
  'config.key': CONFIG_KEYS,
  'completion.shell': SHELLS,
};

/** Commander handles -h/--help itself; it is in no option list. Global, as it works everywhere. */
const HELP_OPTION: CompletionOption = { names: ['-h', '--help'], description: 'show help', value: 'none' };

/** `<path>`, `<jwt|@file>`: a value completed with file names. */
const FILE_VALUE = /<[^>]*(path|file)[^>]*>/;

function optionSpec(o: Option, choices?: readonly string[]): CompletionOption {
  const names = [o.short, o.long].filter((n): n is string => typeof n === 'string');
  const value: CompletionOption['value'] = !o.required && !o.optional ? 'none' : FILE_VALUE.test(o.flags) ? 'file' : 'any';
  return { names, description: o.description, value, ...(choices && value !== 'none' ? { choices } : {}) };
}


/** Describes the registered program: every command, its flags and arguments, and the root's flags. */
export function completionSpec(root: Command, definitions: readonly AnyCommand[]): CompletionSpec {
  const commands = root.commands.map((c): CompletionCommand => {
    const def = definitions.find((d) => d.name.split(' ')[0] === c.name());
    return {
      name: c.name(),
      description: c.description(),
      options: c.options.map((o) => optionSpec(o, o.long === '--format' ? (def ? formatsOf(def.render) : ['text']) : o.argChoices)),
      args: c.registeredArguments.map((a) => ({ name: a.name(), variadic: a.variadic, choices: ARGUMENT_CHOICES[`${c.name()}.${a.name()}`] ?? a.argChoices })),
    };
  });
  return { program: root.name(), globalOptions: [...root.options.map((o) => optionSpec(o, o.argChoices)), HELP_OPTION], commands };
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
  input: (z: Zod) =>
    z.pipe(
      z.object({ shell: z.enum(SHELLS, { error: () => `expected one of ${SHELLS.join(', ')}` }) }),
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
  // Loaded here, not at the top: program.ts imports this module through the command list.
  const [{ createProgram }, { COMMANDS }] = await Promise.all([import('../program.js'), import('./index.js')]);
  const { command } = createProgram(ctx.deps);
  return { shell: input.shell, script: completionScript(completionSpec(command, COMMANDS), input.shell) };
}
