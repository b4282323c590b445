/**
 * The commander options of a command, from its spec: one per flag, then --format (and --json) from
 * the formats it prints. src/program.ts registers these; `completion` describes these same options,
 * so the scripts cannot differ from what the program accepts.
 */
import { Option } from 'commander';
import type { FlagSpec } from './define.js';
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

export function optionOf(spec: FlagSpec): Option {
  const o = new Option(spec.flags, spec.env ? `${spec.description} (env: ${spec.env})` : spec.description);
  return spec.repeatable ? o.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]) : o;
}

/** Every option of a command, in the order its help lists them. */
export function commandOptions(spec: Pick<CommandSpecData, 'flags' | 'formats'>): Option[] {
  const options = Object.values(spec.flags).map(optionOf);
  if (spec.formats.length > 1) {
    options.push(new Option('--format <format>', `output format: ${spec.formats.join(', ')} (default: text)`));
    if (spec.formats.includes('json')) options.push(new Option('--json', 'same as --format json'));
  }
  return options;
}
