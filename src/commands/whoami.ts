import { ENV } from '../config/env.js';
import { pickFolderTarget, type FolderTarget, type TargetSource } from '../core/target.js';
import { whoami, type WhoamiResult } from '../core/whoami.js';
import { whoamiDocument, whoamiText } from '../output/whoami.js';
import type { CommandContext } from './context.js';
import { defineCommand } from './define.js';
import { folderFields, folderFlags, folderSources, profileSource, type FolderInput } from './folder.js';

/** The validated input of `whoami`: only the folder to check. */
export type WhoamiInput = FolderInput;

const HELP = `
What it shows:
  the credential source that won, and every source tried in order (see README, "Credentials")
  the subject: the service account of an authorized key or federation; "unknown" for an IAM token,
    which does not say whose it is
  the token's expiry, when known; the endpoint and the folder, each with where it came from
  (folder: --folder-id/--folder-name, then ${ENV.folderId}/${ENV.folderName}, then aistudio-key config, then
  the yc profile or the metadata service)

"Can create" comes from read-only calls (FolderService.Get, FolderService.ListAccessBindings); whoami
never changes anything. It is:
  yes            the folder's own access list gives you admin, or resource-manager.admin with editor
  no             the folder does not exist, or you may not read it or its access list
  not-on-folder  your roles on the folder fall short; roles on the cloud or organization, or through
                 a group, are not in the folder's list and may still allow it
  unknown        no folder given, or the credential does not say whose it is

Exit codes: 0 whenever it could report (whatever the verdict); 3 when no credential is found or the
cloud rejects it.

Examples:
  aistudio-key whoami
  aistudio-key whoami --folder-name default --json | jq -r .create.verdict
  YC_IAM_TOKEN=$(yc iam create-token) aistudio-key whoami --folder-id b1g0123456789abcdefg
`;

export const whoamiCommand = defineCommand({
  name: 'whoami',
  summary: 'Show the credential in use, whose it is, the folder and endpoint, and whether create can work there (read-only)',
  helpAfter: HELP,
  flags: folderFlags('to check'),
  input: (z) =>
    z.pipe(
      z.object(folderFields(z)),
      z.transform((raw): WhoamiInput => ({ folderId: raw.folderId, folderName: raw.folderName, cloudId: raw.cloudId })),
    ),
  run: runWhoami,
  render: { text: whoamiText, json: whoamiDocument },
});

async function runWhoami(input: WhoamiInput, ctx: CommandContext): Promise<WhoamiResult> {
  const settings = await ctx.settings();
  const sources = folderSources(input, ctx.deps.env, settings);
  // Bad values from env or config are reported before the credential chain runs (it may take a second).
  if (sources.some(names)) pickFolderTarget(sources);
  const auth = await ctx.auth();
  const all = [...sources, profileSource(auth.defaults)];
  const target: FolderTarget | undefined = all.some(names) ? pickFolderTarget(all) : undefined;
  const endpoint = await ctx.endpoint();
  ctx.out.progress.update('Checking (read-only)…');
  const { gateway, identity } = await ctx.cloud();
  return whoami(
    gateway,
    { credential: auth.credential, tried: auth.tried, defaultsSource: auth.defaults?.source, identity, endpoint, target, now: ctx.deps.now() },
    { signal: ctx.signal },
  );
}

function names(s: TargetSource): boolean {
  return s.folderId !== undefined || s.folderName !== undefined;
}
