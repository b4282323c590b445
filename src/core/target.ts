/**
 * Which folder a command acts on. Sources are consulted in order of precedence — flag, environment,
 * aistudio-key config, yc profile — and the first that names a folder (by ID or by name) wins. A
 * cloud ID is only needed with a folder name and is taken from the first source that has one.
 */
import { NotFoundError, UsageError } from '../errors.js';
import type { CallOptions, CloudGateway } from '../cloud/types.js';
import { checkCloudId, checkFolderId, checkFolderName } from './validate.js';

/** A value and where it came from, phrased for messages: `--folder-id`, `YC_FOLDER_ID`, `config folder-id`. */
export interface Sourced {
  value: string;
  source: string;
}

/** What one source says. */
export interface TargetSource {
  folderId?: Sourced;
  folderName?: Sourced;
  cloudId?: Sourced;
}

export type FolderTarget =
  | { kind: 'id'; folderId: Sourced }
  | { kind: 'name'; folderName: Sourced; cloudId: Sourced | undefined };

export interface ResolvedFolder {
  id: string;
  /** Known when the folder was found by name. */
  name: string | undefined;
  cloudId: string | undefined;
}

/**
 * Picks the folder target from sources ordered by precedence, checking the shape of the values it
 * uses (values from flags and env were checked earlier, values from config or a yc profile are checked here).
 * @throws UsageError when no source names a folder, or a value is malformed.
 */
export function pickFolderTarget(sources: readonly TargetSource[]): FolderTarget {
  const cloudId = sources.find((s) => s.cloudId)?.cloudId;
  for (const s of sources) {
    if (s.folderId) {
      ensure(s.folderId, checkFolderId);
      return { kind: 'id', folderId: s.folderId };
    }
    if (s.folderName) {
      ensure(s.folderName, checkFolderName);
      if (cloudId) ensure(cloudId, checkCloudId);
      return { kind: 'name', folderName: s.folderName, cloudId };
    }
  }
  throw new UsageError(
    '--folder-id: no folder given; pass --folder-id <id> or --folder-name <name>, set YC_FOLDER_ID, or run `aistudio-key config set folder-id <id>`',
  );
}

function ensure(v: Sourced, check: (value: string) => string | undefined): void {
  const problem = check(v.value);
  if (problem) throw new UsageError(`${v.source}: ${problem}`);
}

/**
 * Turns a target into a folder ID. By ID: no call at all (the create flow needs none). By name: the
 * cloud is the given one or the caller's only cloud (CloudService.List), then FolderService.List with a name filter.
 * @throws UsageError when the caller sees several clouds and none was given; NotFoundError when the
 *   folder or any cloud is missing; gateway errors as they come.
 */
export async function resolveFolder(gateway: CloudGateway, target: FolderTarget, opts: CallOptions = {}): Promise<ResolvedFolder> {
  if (target.kind === 'id') return { id: target.folderId.value, name: undefined, cloudId: undefined };
  let cloudId = target.cloudId?.value;
  if (!cloudId) {
    const clouds = await gateway.listClouds(opts);
    if (clouds.length === 0) {
      throw new NotFoundError('The credential in use can see no cloud, so the folder name cannot be resolved.', {
        hints: ['Pass --folder-id <id> instead, or use a credential of an account that has access to the cloud.'],
      });
    }
    if (clouds.length > 1) {
      const list = clouds.map((c) => `${c.id} (${c.name})`).join(', ');
      throw new UsageError(`--cloud-id: you can see ${clouds.length} clouds (${list}); pass --cloud-id <id> or set YC_CLOUD_ID to pick the one holding folder "${target.folderName.value}"`);
    }
    cloudId = clouds[0]?.id ?? '';
  }
  // All of the cloud's folders (one List call, as a name filter would be): on a miss, they are the answer's hint.
  const folders = await gateway.listFolders(cloudId, opts);
  const folder = folders.find((f) => f.name === target.folderName.value);
  if (!folder) {
    throw new NotFoundError(`No folder named "${target.folderName.value}" in cloud ${cloudId}.`, {
      hints: [
        folders.length === 0
          ? 'The credential in use can see no folder in that cloud.'
          : `Folders you can see there: ${listed(folders.map((f) => `${f.name} (${f.id})`))}.`,
        `Pass --folder-id, or --folder-name with one of those names (\`yc resource-manager folder list --cloud-id ${cloudId}\` lists them too).`,
      ],
    });
  }
  return { id: folder.id, name: folder.name, cloudId: folder.cloudId };
}

/** At most 20 items, then how many more. (Error output sanitises the names the cloud gave.) */
function listed(items: readonly string[]): string {
  const shown = items.slice(0, 20).join(', ');
  return items.length > 20 ? `${shown} and ${items.length - 20} more` : shown;
}
