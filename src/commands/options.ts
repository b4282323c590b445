/**
 * The commander options of a command, from its spec: one per flag, then --format (and --json) from
 * the formats it prints. src/program.ts registers these; `completion` describes these same options,
 * so the scripts cannot differ from what the program accepts.
 */
import { Option } from 'commander';
import type { FlagSpec } from './define.js';
import { conflictNote } from './flag-rules.js';
import type { CommandSpecData } from './spec.js';
import { HELP_TOPIC_NAMES } from '../help-topics.js';

/** The executable's name, as help and completion show it. */
export const PROGRAM_NAME = 'aistudio-key';
/** The root's -V, which commander adds through .version(). */
export const VERSION_FLAG: FlagSpec = { flags: '-V, --version', description: 'print the version' };
/** -h, which commander handles itself on every command. */
export const HELP_FLAG: FlagSpec = { flags: '-h, --help', description: 'show help' };
/** The help command commander adds to the root; main answers its topics (src/help-topics.ts). */
export const HELP_COMMAND = { name: 'help [command]', description: `display help for a command, or a topic: ${HELP_TOPIC_NAMES.join(', ')}` } as const;

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

/**
 * --format (its choices: the formats the command prints) and --json, for a command that prints more
 * than text. The runner checks them itself (commands/runner.ts formatFromFlags): --json may repeat
 * --format json, and a known format the command cannot print gets its own message.
 */
export function formatFlags(formats: CommandSpecData['formats']): Record<string, FlagSpec> {
  if (formats.length < 2) return {};
  return {
    format: { flags: '--format <format>', description: 'output format (default: text)', choices: formats },
    ...(formats.includes('json') ? { json: { flags: '--json', description: 'same as --format json' } } : {}),
  };
}

/** Every option of a command, in the order its help lists them. */
export function commandOptions(spec: Pick<CommandSpecData, 'flags' | 'formats'>): Option[] {
  return [
    ...Object.entries(spec.flags).map(([key, flag]) => optionOf(flag, conflictNote(key, spec.flags))),
    ...Object.values(formatFlags(spec.formats)).map((flag) => optionOf(flag)),
  ];
}
