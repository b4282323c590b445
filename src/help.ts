/**
 * The help fast path: `aistudio-key --help`, `-h`, `help`, `help <command>`, `help <topic>`,
 * `<command> --help` and `<command> -h` print the same text commander would, without building the program (the README's
 * start-up target for help is 1.3× a bare `node -e 0`). The pages (src/help-pages.ts) are what
 * commander's own Help reads off the real program, computed at build time; here commander's Help
 * class lays them out for the terminal's width, exactly as commander does (it wraps to
 * `process.stdout.columns` on a TTY, else 80). test/unit/help-fast.test.ts compares the two for
 * every page at several widths. The build bundles only commander's lib/help.js into this chunk
 * (scripts/build.mjs); any other argument list returns undefined and goes to commander.
 */
import { Help } from 'commander';
import { HELP_PAGES, HELP_TOPICS, type HelpItem, type HelpPage } from './help-pages.js';

/** The prefix of a help topic's page name: `help environment`. */
const TOPIC = 'help ';

/**
 * Which page an argument list asks for ('' = the root, `help <topic>` = a help topic), or undefined
 * when it is not a plain help request.
 */
export function helpPageFor(args: readonly string[]): string | undefined {
  const isHelpFlag = (a: string | undefined): boolean => a === '--help' || a === '-h';
  const known = (name: string | undefined): name is string => name !== undefined && name !== '' && Object.hasOwn(HELP_PAGES, name);
  if (args.length === 1 && (isHelpFlag(args[0]) || args[0] === 'help')) return '';
  if (args.length === 2 && args[0] === 'help' && known(args[1])) return args[1];
  if (args.length === 2 && args[0] === 'help' && args[1] !== undefined && Object.hasOwn(HELP_TOPICS, args[1])) return `${TOPIC}${args[1]}`;
  if (args.length === 2 && known(args[0]) && isHelpFlag(args[1])) return args[0];
  return undefined;
}

/** Commander's Help, fed a precomputed page instead of a Command. */
function pageHelper(helpWidth: number): Help {
  const helper = new Help();
  helper.helpWidth = helpWidth;
  helper.showGlobalOptions = true;
  const page = (cmd: unknown): HelpPage => cmd as HelpPage;
  const item = (x: unknown): HelpItem => x as HelpItem;
  // Only the methods that read a Command are replaced; layout (padWidth, formatItem, boxWrap, groupItems) is commander's.
  Object.assign(helper, {
    commandUsage: (cmd: unknown) => page(cmd).usage,
    commandDescription: (cmd: unknown) => page(cmd).description,
    visibleArguments: (cmd: unknown) => page(cmd).arguments,
    argumentTerm: (a: unknown) => item(a).term,
    argumentDescription: (a: unknown) => item(a).description,
    visibleOptions: (cmd: unknown) => page(cmd).options,
    visibleGlobalOptions: (cmd: unknown) => page(cmd).globalOptions,
    optionTerm: (o: unknown) => item(o).term,
    optionDescription: (o: unknown) => item(o).description,
    visibleCommands: (cmd: unknown) => page(cmd).commands,
    subcommandTerm: (c: unknown) => item(c).term,
    subcommandDescription: (c: unknown) => item(c).description,
  });
  return helper;
}

/**
 * The help text of a page at a width, as commander prints it: the formatted help, then the text
 * added after it (commander writes each added text followed by a newline).
 */
export function renderHelpPage(name: string, helpWidth = 80): string {
  const page = name.startsWith(TOPIC) ? HELP_TOPICS[name.slice(TOPIC.length)] : HELP_PAGES[name];
  if (!page) throw new Error(`no help page '${name}'`);
  const helper = pageHelper(helpWidth);
  // groupItems reads `options`/`commands` off the "command" and calls helpGroup() on each subcommand.
  const cmd = {
    ...page,
    commands: page.commands.map((c) => ({ ...c, helpGroup: () => undefined })),
  };
  const text = helper.formatHelp(cmd as never, helper);
  return `${text}${page.after === '' ? '' : `${page.after}\n`}`;
}

/**
 * The help text for `args`, or undefined when they are not a plain help request (commander then
 * handles them). `columns`: the width of stdout when it is a terminal, else undefined (80).
 */
export function fastHelp(args: readonly string[], columns: number | undefined): string | undefined {
  const name = helpPageFor(args);
  return name === undefined ? undefined : renderHelpPage(name, columns ?? 80);
}
