/**
 * The help pages the fast path (src/help.ts) lays out: for the root and each command, what
 * commander's own Help reads off the real program (usage, option terms and descriptions, the text
 * added after). Here they are computed from the program; the build (scripts/build.mjs) replaces this
 * module with the pages as data, so dist/help.cjs builds no program and loads no command.
 */
import type { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Command, Help } from 'commander';
import type { Deps } from './deps.js';
import { createProgram } from './program.js';

export interface HelpItem {
  term: string;
  description: string;
}

export interface HelpPage {
  usage: string;
  description: string;
  arguments: HelpItem[];
  options: HelpItem[];
  globalOptions: HelpItem[];
  commands: HelpItem[];
  /** Text printed after the help (without commander's final newline). */
  after: string;
}

/** One page: what commander's Help reads off the command, and the text commander writes after it. */
export function helpPageOf(cmd: Command): HelpPage {
  const helper: Help = cmd.createHelp();
  const items = <T>(list: readonly T[], term: (x: T) => string, description: (x: T) => string): HelpItem[] =>
    list.map((x) => ({ term: term(x), description: description(x) }));
  let before = '';
  let after = '';
  // A Command is an EventEmitter (commander's typings do not say so): addHelpText listens for these.
  const events = cmd as unknown as EventEmitter;
  events.emit('beforeHelp', { error: false, command: cmd, write: (s: string) => (before += s) });
  events.emit('afterHelp', { error: false, command: cmd, write: (s: string) => (after += s) });
  if (before !== '') throw new Error(`${cmd.name()}: text before the help is not supported by the help fast path`);
  if (cmd.options.some((o) => o.helpGroupHeading !== undefined) || cmd.commands.some((c) => c.helpGroup() !== '')) {
    throw new Error(`${cmd.name()}: help groups are not supported by the help fast path`);
  }
  return {
    usage: helper.commandUsage(cmd),
    description: helper.commandDescription(cmd),
    arguments: items(helper.visibleArguments(cmd), (a) => helper.argumentTerm(a), (a) => helper.argumentDescription(a)),
    options: items(helper.visibleOptions(cmd), (o) => helper.optionTerm(o), (o) => helper.optionDescription(o)),
    globalOptions: helper.showGlobalOptions ? items(helper.visibleGlobalOptions(cmd), (o) => helper.optionTerm(o), (o) => helper.optionDescription(o)) : [],
    commands: items(helper.visibleCommands(cmd), (c) => helper.subcommandTerm(c), (c) => helper.subcommandDescription(c)),
    // commander writes each added text plus a newline; the fast path adds that newline back.
    after: after.replace(/\n$/, ''),
  };
}

/** The root page ('') and one per command, from the program as main builds it. */
function pagesOfProgram(): Record<string, HelpPage> {
  // Building the program touches only these of Deps; the version is a placeholder (help never shows it).
  const deps = { env: {}, version: '0.0.0', stdout: new PassThrough(), stderr: new PassThrough() } as unknown as Deps;
  const root = createProgram(deps).command;
  const pages: Record<string, HelpPage> = { '': helpPageOf(root) };
  for (const cmd of root.commands) pages[cmd.name()] = helpPageOf(cmd);
  return pages;
}

export const HELP_PAGES: Readonly<Record<string, HelpPage>> = pagesOfProgram();
