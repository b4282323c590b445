/**
 * No folder given, and a person at a terminal (stdin and stderr terminals, not CI): the folders the
 * credential can see are offered as a numbered list on stderr and one is chosen on stdin. Anywhere
 * else a missing folder stays a usage error (exit 2, core/target.ts pickFolderTarget).
 */
import type { CloudGateway, Folder } from '../cloud/types.js';
import type { ResolvedFolder } from '../core/target.js';
import { UsageError } from '../errors.js';
import { isCi } from '../output/mode.js';
import { sanitize } from '../output/sanitize.js';
import { readLine } from './confirm.js';
import type { CommandContext } from './context.js';

/** More than this many folders: the list would scroll away; the person is told to pass --folder-id. */
export const MAX_OFFERED_FOLDERS = 50;

/** Whether a missing folder may be asked for. */
export function canPickFolder(ctx: CommandContext): boolean {
  return ctx.deps.stdinIsTTY === true && ctx.deps.stderrIsTTY && !isCi(ctx.deps.env);
}

const NO_FOLDER = '--folder-id: no folder given';

/**
 * Lists the folders of every cloud the caller sees, asks for one by number.
 * @throws UsageError (exit 2) when there is none to offer, too many, or the answer is not one of the numbers.
 */
export async function askForFolder(ctx: CommandContext, gateway: CloudGateway): Promise<ResolvedFolder> {
  ctx.out.progress.update('Listing the folders you can see…');
  const clouds = await gateway.listClouds({ signal: ctx.signal });
  const names = new Map(clouds.map((c) => [c.id, c.name]));
  const folders: Folder[] = (await Promise.all(clouds.map((c) => gateway.listFolders(c.id, { signal: ctx.signal })))).flat();
  ctx.out.progress.stop();
  if (folders.length === 0) throw new UsageError(`${NO_FOLDER}, and the credential in use can see no folder; pass --folder-id <id>`);
  if (folders.length > MAX_OFFERED_FOLDERS) throw new UsageError(`${NO_FOLDER}; you can see ${folders.length} folders, too many to list: pass --folder-id <id> or --folder-name <name>`);

  const width = String(folders.length).length;
  const lines = folders.map((f, i) => `  ${String(i + 1).padStart(width)}) ${f.name}  ${f.id}  (cloud ${names.get(f.cloudId) ?? f.cloudId})`);
  // Names come from the cloud: each line sanitised before the terminal sees it.
  const text = ['No folder given. Folders this credential can see:', ...lines.map(sanitize), `Folder [1-${folders.length}]: `].join('\n');
  ctx.deps.stderr.write(ctx.redactor.redact(text));
  const answer = (await readLine(ctx)).trim();
  const n = /^\d{1,4}$/.test(answer) ? Number(answer) : NaN;
  const chosen = folders[n - 1];
  if (!chosen) throw new UsageError(`${NO_FOLDER}; expected a number from 1 to ${folders.length}, got "${answer}"`);
  ctx.out.debug(`folder: ${chosen.id} (${chosen.name}), chosen at the terminal`);
  return { id: chosen.id, name: chosen.name, cloudId: chosen.cloudId };
}
