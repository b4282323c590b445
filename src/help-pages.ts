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
import { HELP_TOPICS as TOPICS, type HelpTopicName } from './help-topics.js';
import { HELP_COMMAND, PROGRAM_NAME } from './commands/options.js';

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

/**
 * A help topic's page (`help environment`): its usage and description, the root's options but
 * -V and -h (the global options) when it lists them, then its text.
 */
function topicPage(root: Command, name: HelpTopicName): HelpPage {
  const topic = TOPICS[name];
  const helper: Help = root.createHelp();
  const globals = helper.visibleOptions(root).filter((o) => o.long !== '--help' && o.long !== '--version');
  return {
    usage: `${PROGRAM_NAME} ${HELP_COMMAND.name.split(' ')[0] ?? 'help'} ${name}`,
    description: topic.description,
    arguments: [],
    options: [],
    globalOptions: topic.globalOptions ? globals.map((o) => ({ term: helper.optionTerm(o), description: helper.optionDescription(o) })) : [],
    commands: [],
    after: topic.text().replace(/\n$/, ''),
  };
}

/** The root page (''), one per command, and one per help topic, from the program as main builds it. */
function pagesOfProgram(): { pages: Record<string, HelpPage>; topics: Record<HelpTopicName, HelpPage> } {
  // Building the program touches only these of Deps; the version is a placeholder (help never shows it).
  const deps = { env: {}, version: '0.0.0', stdout: new PassThrough(), stderr: new PassThrough() } as unknown as Deps;
  const root = createProgram(deps).command;
  const pages: Record<string, HelpPage> = { '': helpPageOf(root) };
  for (const cmd of root.commands) pages[cmd.name()] = helpPageOf(cmd);
  const topics = Object.fromEntries(Object.keys(TOPICS).map((name) => [name, topicPage(root, name as HelpTopicName)])) as Record<HelpTopicName, HelpPage>;
  return { pages, topics };
}

const computed = pagesOfProgram();
export const HELP_PAGES: Readonly<Record<string, HelpPage>> = computed.pages;
/** The help topics' pages, by topic name (`help <topic>`). */
export const HELP_TOPICS: Readonly<Record<string, HelpPage>> = computed.topics;
