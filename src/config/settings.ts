/**
 * aistudio-key's own settings (never secrets). Precedence everywhere: flag > env > these settings >
 * the yc profile. Stored by src/config/store.ts; keys are camelCase in the file, kebab-case on the CLI.
 */
import { DEFAULT_FORMATS } from '../formats.js';
import { z, type Infer } from '../zod.js';

export const settingsSchema = z.object({
  /** Default target folder ID (`config set folder-id`). */
  folderId: z.optional(z.string()),
  /** Default target folder name, resolved within cloudId or the caller's only cloud. */
  folderName: z.optional(z.string()),
  /** Cloud used with a folder name. */
  cloudId: z.optional(z.string()),
  /** Discovery endpoint host:port. */
  endpoint: z.optional(z.string()),
  /** yc profile to read credentials and defaults from. */
  profile: z.optional(z.string()),
  /** Default key lifetime for `create`: a duration such as 90d, or "never". */
  expiresIn: z.optional(z.string()),
  /** Default output format. */
  format: z.optional(z.enum(DEFAULT_FORMATS)),
});

export type Settings = Infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;

/** CLI spelling of each key, for messages (`config folder-id`). */
export const SETTING_FLAGS: Record<SettingKey, string> = {
  folderId: 'folder-id',
  folderName: 'folder-name',
  cloudId: 'cloud-id',
  endpoint: 'endpoint',
  profile: 'profile',
  expiresIn: 'expires-in',
  format: 'format',
};
