/**
 * The commander options of a command, from its spec: one per flag, then --format (and --json) from
 * the formats it prints. src/program.ts registers these; `completion` describes these same options,
 * so the scripts cannot differ from what the program accepts.
 */
import { Option } from 'commander';
import type { FlagSpec } from './define.js';
import { conflictNote } from './flag-rules.js';
import type { CommandSpecData } from './spec.js';

/** The executable's name, as help and completion show it. */
export const PROGRAM_NAME = 'aistudio-key';
/** The root's -V, which commander adds through .version(). */
export const VERSION_FLAG: FlagSpec = { flags: '-V, --version', description: 'print the version' };
/** -h, which commander handles itself on every command. */
export const HELP_FLAG: FlagSpec = { flags: '-h, --help', description: 'show help' };
/** The help command commander adds to the root. */
export const HELP_COMMAND = { name: 'help [command]', description: 'display help for command' } as const;

/**
 * The commander option of a flag; `note` is added to its help (the "not with" of its conflicts).
 * Choices are set as argChoices (help and completion show them) without commander's own check: the
 * runner checks them with one line naming the flag (src/commands/flag-rules.ts).
 */
export function optionOf(spec: FlagSpec, note = ''): Option {
  const o = new Option(spec.flags, `${spec.description}${spec.env ? ` (env: ${spec.env})` : ''}${note}`);
  if (spec.choices) o.argChoices = [...spec.choices];
  return spec.repeatable ? o.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]) : o;
}

/** Every option of a command, in the order its help lists them. */
export function commandOptions(spec: Pick<CommandSpecData, 'flags' | 'formats'>): Option[] {
  const options = Object.entries(spec.flags).map(([key, flag]) => optionOf(flag, conflictNote(key, spec.flags)));
  if (spec.formats.length > 1) {
    options.push(new Option('--format <format>', `output format: ${spec.formats.join(', ')} (default: text)`));
    if (spec.formats.includes('json')) options.push(new Option('--json', 'same as --format json'));
  }
  return options;
}
