import { CONFIG_KEYS, configGet, configKeyHelp, configList, configSet, configUnset, type ConfigResult } from '../core/config.js';
import { ENV } from '../config/env.js';
import { configDocument, configText } from '../output/config.js';
import type { CommandContext } from './context.js';
import { defineCommand, transformIssue, type Zod } from './define.js';

export const CONFIG_ACTIONS = ['set', 'get', 'unset', 'list'] as const;
export type ConfigAction = (typeof CONFIG_ACTIONS)[number];

/** The validated input of `config`. */
export type ConfigInput = { action: 'set'; key: string; value: string } | { action: 'get' | 'unset'; key: string } | { action: 'list' };

function configInputSchema(z: Zod) {
  const fields = z.object({
    // The runner has checked <action> against args.action.choices (CONFIG_ACTIONS).
    action: z.enum(CONFIG_ACTIONS),
    key: z.optional(z.string()),
    value: z.optional(z.string()),
  });
  return z.pipe(
    fields,
    z.transform((raw, ctx): ConfigInput => {
      const fail = (message: string): ConfigInput => {
        transformIssue(ctx, message);
        return z.NEVER;
      };
      switch (raw.action) {
        case 'set':
          if (raw.key === undefined || raw.value === undefined) return fail('config set: give a key and a value, e.g. `aistudio-key config set folder-id b1g0123456789abcdefg`');
          return { action: 'set', key: raw.key, value: raw.value };
        case 'get':
        case 'unset':
          if (raw.key === undefined) return fail(`config ${raw.action}: give a key (${CONFIG_KEYS.join(', ')})`);
          if (raw.value !== undefined) return fail(`config ${raw.action}: takes only a key; to change a value use \`aistudio-key config set <key> <value>\``);
          return { action: raw.action, key: raw.key };
        case 'list':
          if (raw.key !== undefined) return fail('config list: takes no key; use `aistudio-key config get <key>` for one');
          return { action: 'list' };
      }
    }),
  );
}

const HELP = `
Actions:
  set <key> <value>   store a default (checked first; nothing is written if it is refused)
  get <key>           print the stored value (nothing when unset)
  unset <key>         remove it
  list                every stored key and value

Keys:
${configKeyHelp()
  .map((k) => `  ${k.key.padEnd(12)}${k.description}`)
  .join('\n')}

Precedence wherever a default is used: flag > environment > this config > the yc profile.
The file is JSON, in ${ENV.configDir} when set, else the per-OS config directory (config list prints
its path). It never holds a credential: keys other than those above are refused, and so is any value
that looks like an IAM or OAuth token, an API key secret, a JWT or a private key (exit 2).
folder-id and folder-name exclude each other, as in the yc config: setting one removes the other.

Examples:
  aistudio-key config set folder-id b1g0123456789abcdefg
  aistudio-key config set expires-in 30d
  aistudio-key config get folder-id
  aistudio-key config list --json
`;

export const configCommand = defineCommand({
  name: 'config <action> [key] [value]',
  summary: "Set, get, unset or list aistudio-key's defaults (folder, cloud, endpoint, profile, expiry, format)",
  helpAfter: HELP,
  flags: {},
  // <key>'s check is core's settingFor (did you mean…, no credentials); its list serves completion.
  args: { action: { choices: CONFIG_ACTIONS }, key: { choices: CONFIG_KEYS, ownCheck: true } },
  input: (z) => configInputSchema(z),
  run: runConfig,
  render: { text: configText, json: configDocument },
  repairsConfig: true,
});

async function runConfig(input: ConfigInput, ctx: CommandContext): Promise<ConfigResult> {
  // conf (and ajv) load only here.
  const { openSettingsStore } = await import('../config/store.js');
  const store = openSettingsStore(ctx.deps.configDir);
  switch (input.action) {
    case 'set':
      return configSet(store, input.key, input.value, ctx.deps.now());
    case 'get':
      return configGet(store, input.key);
    case 'unset':
      return configUnset(store, input.key);
    case 'list':
      return configList(store);
  }
}
