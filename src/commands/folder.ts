/**
 * The folder flags shared by commands that read a folder (list, revoke, …), and their resolution in
 * the order every command uses: --folder-id/--folder-name > YC_FOLDER_ID/YC_FOLDER_NAME >
 * aistudio-key config > the yc profile (or the metadata service). Same rules as `create`.
 */
import type { ProfileDefaults } from '../auth/types.js';
import { ENV } from '../config/env.js';
import { sourceName } from '../config/sources.js';
import type { Settings } from '../config/settings.js';
import type { CloudGateway } from '../cloud/types.js';
import { pickFolderTarget, resolveFolder, type FolderTarget, type ResolvedFolder, type Sourced, type TargetSource } from '../core/target.js';
import { checkCloudId, checkFolderId, checkFolderName, parseList } from '../core/validate.js';
import type { CommandContext } from './context.js';
import type { FlagSpec, Zod } from './define.js';
import { askForFolder, canPickFolder } from './pick-folder.js';

export interface FolderInput {
  folderId: string | undefined;
  folderName: string | undefined;
  cloudId: string | undefined;
}

/**
 * The folder flags. Their variables are not FlagSpec.env (a per-flag fallback): the three flags and
 * the three variables are each one source of the folder, taken whole by precedence (folderSources),
 * so YC_FOLDER_ID does not clash with --folder-name. As FlagSpec.env, YC_FOLDER_ID would stand in
 * for --folder-id and trip its declared conflict with --folder-name (the runner checks conflicts
 * over flags and their env variables alike); the help names them in the description instead.
 */
export function folderFlags(what: string): Record<keyof FolderInput, FlagSpec> {
  return {
    folderId: { flags: '--folder-id <id>', description: `folder ${what} (env: ${ENV.folderId})`, conflicts: { folderName: true } },
    folderName: { flags: '--folder-name <name>', description: `folder by name, within --cloud-id or your only cloud (env: ${ENV.folderName})` },
    cloudId: { flags: '--cloud-id <id>', description: `cloud holding --folder-name (env: ${ENV.cloudId})` },
  };
}

/** A string flag checked by one of core/validate's checks. */
export function checkedString(z: Zod, check: (v: string) => string | undefined) {
  return z.optional(
    z.string().check(
      z.superRefine((v, ctx) => {
        const problem = check(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    ),
  );
}

/** A check of a comma-separated list: not empty, and every item passing `check`. */
export function listCheck(check: (v: string) => string | undefined, what: string) {
  return (v: string): string | undefined => {
    const items = parseList(v);
    if (items.length === 0) return `give at least one ${what} (a comma-separated list)`;
    for (const item of items) {
      const problem = check(item);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** zod fields for the folder flags (their conflict is declared on the flags). */
export function folderFields(z: Zod) {
  return { folderId: checkedString(z, checkFolderId), folderName: checkedString(z, checkFolderName), cloudId: checkedString(z, checkCloudId) };
}

function sourced(value: string | undefined, source: string): Sourced | undefined {
  return value ? { value, source } : undefined;
}

/** Flag, env and config, in order of precedence (the yc profile comes last, once the credential is known). */
export function folderSources(input: FolderInput, env: CommandContext['deps']['env'], settings: Settings & { path: string }): TargetSource[] {
  return [
    { folderId: sourced(input.folderId, sourceName.flag('--folder-id')), folderName: sourced(input.folderName, sourceName.flag('--folder-name')), cloudId: sourced(input.cloudId, sourceName.flag('--cloud-id')) },
    {
      folderId: sourced(env[ENV.folderId], sourceName.env(ENV.folderId)),
      folderName: sourced(env[ENV.folderName], sourceName.env(ENV.folderName)),
      cloudId: sourced(env[ENV.cloudId], sourceName.env(ENV.cloudId)),
    },
    {
      folderId: sourced(settings.folderId, sourceName.config('folder-id', settings.path)),
      folderName: sourced(settings.folderName, sourceName.config('folder-name', settings.path)),
      cloudId: sourced(settings.cloudId, sourceName.config('cloud-id', settings.path)),
    },
  ];
}

/** The yc profile's (or metadata service's) defaults: the lowest precedence. */
export function profileSource(defaults: ProfileDefaults | undefined): TargetSource {
  if (!defaults) return {};
  return {
    folderId: sourced(defaults.folderId, sourceName.ycProfile('folder-id', defaults.source)),
    folderName: sourced(defaults.folderName, sourceName.ycProfile('folder-name', defaults.source)),
    cloudId: sourced(defaults.cloudId, sourceName.ycProfile('cloud-id', defaults.source)),
  };
}

/**
 * A lazy folder resolver for core use-cases (resolved once): picks the target by precedence and
 * resolves a name to an ID (one lookup). Bad values from env or config are reported before the
 * credential chain runs, a missing folder before the cloud is contacted.
 * @throws UsageError when no source names a folder or a value is malformed; NotFoundError for an unknown name.
 */
export async function folderResolver(input: FolderInput, ctx: CommandContext): Promise<() => Promise<string>> {
  const settings = await ctx.settings();
  const sources = folderSources(input, ctx.deps.env, settings);
  if (sources.some((s) => s.folderId || s.folderName)) pickFolderTarget(sources);
  let resolved: Promise<string> | undefined;
  return () => (resolved ??= resolve());
  async function resolve(): Promise<string> {
    const auth = await ctx.auth();
    const target = folderTargetOrAsk([...sources, profileSource(auth.defaults)], ctx);
    const { gateway } = await ctx.cloud();
    const folder = await folderOf(target, gateway, ctx);
    if (target) ctx.out.debug(`folder: ${folder.id}${folder.name ? ` (${folder.name})` : ''} from ${target.kind === 'id' ? target.folderId.source : target.folderName.source}`);
    return folder.id;
  }
}

/**
 * The folder target by precedence; undefined when no source names one and the person at the
 * terminal may choose (pick-folder.ts).
 * @throws UsageError as pickFolderTarget does.
 */
export function folderTargetOrAsk(sources: readonly TargetSource[], ctx: CommandContext): FolderTarget | undefined {
  if (!sources.some((s) => s.folderId || s.folderName) && canPickFolder(ctx)) return undefined;
  return pickFolderTarget(sources);
}

/** The target resolved to a folder (a name looked up), or, without one, the folder chosen at the terminal. */
export async function folderOf(target: FolderTarget | undefined, gateway: CloudGateway, ctx: CommandContext): Promise<ResolvedFolder> {
  if (!target) return askForFolder(ctx, gateway);
  if (target.kind === 'name') ctx.out.progress.update(`Looking up folder ${target.folderName.value}…`);
  return resolveFolder(gateway, target, { signal: ctx.signal });
}
