/**
 * How the source of a setting is named, in every message, --debug line and `whoami`: one naming for
 * one precedence, flag > environment > aistudio-key config > yc profile (STYLE.md §12).
 *   flag         --folder-id
 *   environment  YC_FOLDER_ID (the variable alone, never "--flag (from VAR)")
 *   our config   config folder-id (/home/me/.config/aistudio-key/config.json)
 *   yc profile   folder-id of yc-profile:main
 */
export const sourceName = {
  flag: (flag: string): string => flag,
  env: (name: string): string => name,
  /** `key` in CLI spelling (folder-id), `path` the config file. */
  config: (key: string, path: string): string => `config ${key} (${path})`,
  /** `from`: the defaults' own source label (yc-profile:main, metadata). */
  ycProfile: (key: string, from: string): string => `${key} of ${from}`,
} as const;
