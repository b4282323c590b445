/**
 * The help topics, `aistudio-key help <topic>`: pages about the whole program rather than one
 * command. Their names are here (completion offers them after `help`); their text is derived from
 * the tables it shows (EXIT_CODE_HELP, ENV with ENV_HELP), never retyped. src/help-pages.ts turns
 * each into a page the help fast path prints; main prints them when commander would be asked.
 */
import { ENV } from './config/env.js';
import { ENV_HELP } from './config/env-help.js';
import { EXIT_CODE_HELP } from './errors.js';

export const HELP_TOPIC_NAMES = ['environment', 'exit-codes'] as const;
export type HelpTopicName = (typeof HELP_TOPIC_NAMES)[number];

export function isHelpTopic(name: string | undefined): name is HelpTopicName {
  return HELP_TOPIC_NAMES.includes(name as HelpTopicName);
}

/** Global flags that take no value, which may stand around `help <topic>` (`--debug help exit-codes`). */
const BARE_GLOBAL_FLAGS = new Set(['--debug', '--no-color', '-q', '--quiet']);

/** The topic `args` ask for (`help <topic>`, maybe with bare global flags), else undefined. */
export function helpTopicAsked(args: readonly string[]): HelpTopicName | undefined {
  const operands = args.filter((a) => !BARE_GLOBAL_FLAGS.has(a));
  return operands.length === 2 && operands[0] === 'help' && isHelpTopic(operands[1]) ? operands[1] : undefined;
}

/** The one line each command page carries instead of repeating the global options and the exit codes. */
export const SEE_ALSO =
  '\nGlobal options: see `aistudio-key --help` (or `aistudio-key help environment`).\nExit codes: see `aistudio-key help exit-codes`.\n';

/** The exit-code table as help shows it. */
export function exitCodeTable(): string {
  const rows = EXIT_CODE_HELP.map(([code, meaning]) => `  ${String(code).padEnd(5)}${meaning}`);
  return `\nExit codes:\n${rows.join('\n')}\n`;
}

function environmentText(): string {
  const names = Object.keys(ENV) as Array<keyof typeof ENV>;
  const width = Math.max(...names.map((k) => ENV[k].length)) + 2;
  const rows = names.map((k) => `  ${ENV[k].padEnd(width)}${ENV_HELP[k]}`);
  return `
Environment variables:
${rows.join('\n')}

Where a setting comes from (the first that has it wins):
  folder, cloud, endpoint  flag > environment > \`aistudio-key config\` > yc profile (or the metadata service)
  yc profile               --profile > ${ENV.profile} > \`config set profile\` > the yc config's current profile
  credential               flags > ${ENV.iamToken} > ${ENV.oauthToken}/${ENV.token} > ${ENV.serviceAccountKeyFile} > federation (CI)
                           > the yc profile > the metadata service
  Defaults stored with \`aistudio-key config set <key> <value>\` (see \`aistudio-key config --help\`).
`;
}

export interface HelpTopic {
  description: string;
  /** Whether the page lists the global options. */
  globalOptions: boolean;
  /** Text after the usage and description. */
  text: () => string;
}

export const HELP_TOPICS: Readonly<Record<HelpTopicName, HelpTopic>> = {
  environment: {
    description: 'The global options (accepted by every command), the environment variables, and where each setting comes from.',
    globalOptions: true,
    text: environmentText,
  },
  'exit-codes': {
    description: "What aistudio-key's exit code says happened (the same for every command).",
    globalOptions: false,
    text: exitCodeTable,
  },
};
