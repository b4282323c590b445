/**
 * aistudio-key's own settings (never secrets). Precedence everywhere: flag > env > these settings >
 * the yc profile. Stored by src/config/store.ts; keys are camelCase in the file, kebab-case on the CLI.
 */
import { z } from 'zod';

export const settingsSchema = z.object({
  /** Default target folder ID (`config set folder-id`). */
  folderId: z.string().optional(),
  /** Default target folder name, resolved within cloudId or the caller's only cloud. */
  folderName: z.string().optional(),
  /** Cloud used with a folder name. */
  cloudId: z.string().optional(),
  /** Discovery endpoint host:port. */
  endpoint: z.string().optional(),
  /** yc profile to read credentials and defaults from. */
  profile: z.string().optional(),
  /** Default key lifetime for `create`: a duration such as 90d, or "never". */
  expiresIn: z.string().optional(),
  /** Default output format. */
  format: z.enum(['text', 'json', 'yaml', 'env']).optional(),
});

export type Settings = z.infer<typeof settingsSchema>;
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
