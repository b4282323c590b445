/**
 * What src/program.ts needs to register a command and print its help, without loading it: the
 * definition's name, summary, help text, flags and output formats. src/commands/command-specs.ts lists
 * one per command (data in the bundle); the full definition, with its core and output
 * imports, loads only when the command runs.
 */
import type { Format } from '../output/mode.js';
import type { AnyCommand, ArgSpec, FlagSpec, Renderers } from './define.js';

export interface CommandSpecData {
  name: string;
  summary: string;
  helpAfter?: string;
  flags: Record<string, FlagSpec>;
  args?: Readonly<Record<string, ArgSpec>>;
  /** The output formats, from `formatsOf`. */
  formats: Format[];
}

export interface CommandSpec extends CommandSpecData {
  /** The full definition (dynamic import of its module). */
  load(): Promise<AnyCommand>;
}

/** The spec data of a definition: what src/commands/command-specs.ts holds for it. */
export function specData(def: AnyCommand): CommandSpecData {
  return {
    name: def.name,
    summary: def.summary,
    ...(def.helpAfter !== undefined ? { helpAfter: def.helpAfter } : {}),
    flags: def.flags,
    ...(def.args !== undefined ? { args: def.args } : {}),
    formats: formatsOf(def.render),
  };
}

/**
 * The formats a command can print, 'text' first: the one rule behind its --format help, the runner's
 * check of --format (exit 2 for any other) and shell completion. json and yaml come from a json
 * renderer; env, dotenv and secret each from their own.
 */
export function formatsOf(render: Renderers<never>): Format[] {
  return [
    'text',
    ...(render.json ? (['json', 'yaml'] as const) : []),
    ...(render.env ? (['env'] as const) : []),
    ...(render.dotenv ? (['dotenv'] as const) : []),
    ...(render.secret ? (['secret'] as const) : []),
  ];
}
