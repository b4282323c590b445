/**
 * What src/program.ts needs to register a command and print its help, without loading it: the
 * definition's name, summary, help text, flags and output formats. src/commands/manifest.ts lists
 * one per command (generated from the definitions); the full definition, with its core and output
 * imports, loads only when the command runs.
 */
import type { AnyCommand, FlagSpec } from './define.js';

export interface CommandSpecData {
  name: string;
  summary: string;
  helpAfter?: string;
  flags: Record<string, FlagSpec>;
  /** The output formats, 'text' first: json and yaml when the command renders json, env when it renders env, dotenv when it renders dotenv. */
  formats: string[];
}

export interface CommandSpec extends CommandSpecData {
  /** The full definition (dynamic import of its module). */
  load(): Promise<AnyCommand>;
}

/** The spec data of a definition: what the manifest holds, and what its freshness test compares. */
export function specData(def: AnyCommand): CommandSpecData {
  return {
    name: def.name,
    summary: def.summary,
    ...(def.helpAfter !== undefined ? { helpAfter: def.helpAfter } : {}),
    flags: def.flags,
    formats: ['text', ...(def.render.json ? ['json', 'yaml'] : []), ...(def.render.env ? ['env'] : []), ...(def.render.dotenv ? ['dotenv'] : [])],
  };
}
