/**
 * The `whoami` use-case: which credential is in use and whose it is, the endpoint and folder a
 * command would act on, and whether `create` can work on that folder. Typed input in, typed result
 * out; no printing.
 *
 * Read-only by construction: the only calls are CloudService.List, FolderService.List (a folder by
 * name), FolderService.Get, FolderService.ListAccessBindings and ServiceAccountService.Get.
 *
 * What such checks can prove: that the folder exists and the caller may read it and its access
 * list, and which roles that list gives the caller on the folder itself. What they cannot: roles
 * inherited from the cloud or the organization (they are not in the folder's list), membership of
 * groups the list names, and, for a bare IAM token, whose token it is (nothing read-only says).
 * The verdict is worded accordingly: `yes` and `no` only where the evidence supports them.
 */
import { AppError, AuthError, NotFoundError } from '../errors.js';
import type { AccessBinding, CallOptions, Cloud, CloudGateway, Credential, Identity } from '../cloud/types.js';
import { PRESET_ROLES } from './preset.js';
import { rolesBeyondHeld } from './roles.js';
import { resolveFolder, type FolderTarget, type Sourced } from './target.js';

/** What `create` does on a folder, each needing a role there. */
export type CreateNeed = 'create-service-account' | 'grant-roles' | 'issue-api-key';

/**
 * For each step of `create`, the roles that allow it when held on the folder (reference §5: managing
 * access bindings needs admin, resource-manager.admin, organization-manager.admin or an owner role;
 * service accounts and API keys need editor or an IAM role that manages them).
 */
export const CREATE_NEEDS: ReadonlyArray<{ need: CreateNeed; anyOf: readonly string[] }> = [
  {
    need: 'create-service-account',
    anyOf: ['admin', 'editor', 'iam.admin', 'iam.editor', 'iam.serviceAccounts.admin', 'resource-manager.clouds.owner', 'organization-manager.organizations.owner'],
  },
  {
    need: 'grant-roles',
    anyOf: ['admin', 'resource-manager.admin', 'organization-manager.admin', 'resource-manager.clouds.owner', 'organization-manager.organizations.owner'],
  },
  {
    need: 'issue-api-key',
    anyOf: [
      'admin', 'editor', 'iam.admin', 'iam.editor', 'iam.serviceAccounts.admin', 'iam.serviceAccounts.apiKeyAdmin',
      'resource-manager.clouds.owner', 'organization-manager.organizations.owner',
    ],
  },
];

/** Roles that hold every permission, so whoever has one can grant any role. */
const ALL_POWERFUL: ReadonlySet<string> = new Set(['admin', 'resource-manager.clouds.owner', 'organization-manager.organizations.owner']);

/** `system` subjects that every caller is part of. */
const EVERYONE: ReadonlySet<string> = new Set(['allUsers', 'allAuthenticatedUsers']);

export interface WhoamiQuery {
  credential: Credential;
  /** Every credential source looked at, in order (ResolvedAuth.tried). */
  tried: readonly string[];
  /** Where the lowest-precedence defaults came from ('yc-profile:prod', 'metadata'), if anywhere. */
  defaultsSource: string | undefined;
  /** Who the gateway says the caller is. */
  identity: Identity;
  endpoint: Sourced;
  /** The folder chosen by precedence; undefined when no source names one. */
  target: FolderTarget | undefined;
  now: Date;
}

export type SubjectType = 'serviceAccount' | 'userAccount' | 'unknown';

export interface WhoamiSubject {
  type: SubjectType;
  /** undefined when the credential does not reveal it (an IAM token, an OAuth token). */
  id: string | undefined;
  /** A service account's name, when it could be read. */
  name: string | undefined;
}

export interface WhoamiFolder {
  /** undefined when a folder name could not be resolved. */
  id: string | undefined;
  name: string | undefined;
  cloudId: string | undefined;
  givenAs: 'id' | 'name';
  /** Where it came from: '--folder-id', 'YC_FOLDER_ID', 'config folder-id (…)', 'folder-id of yc-profile:prod'. */
  source: string;
}

export type WhoamiCheckName = 'list-clouds' | 'resolve-folder-name' | 'get-folder' | 'list-access-bindings';
export type WhoamiCheckStatus = 'ok' | 'denied' | 'not-found';

/** One read-only call and how it went. */
export interface WhoamiCheck {
  name: WhoamiCheckName;
  /** The API call: 'FolderService.Get'. */
  call: string;
  status: WhoamiCheckStatus;
  /** Clouds seen (list-clouds) or bindings on the folder (list-access-bindings), when ok. */
  count?: number;
  /** The error's message, when not ok. */
  message?: string;
}

export type CreateVerdict =
  /** The folder's own access list gives the caller every role `create` needs. */
  | 'yes'
  /** `create` cannot work: the folder is missing, or the caller may not read it or its access list. */
  | 'no'
  /** The caller is known and its roles on the folder itself fall short; roles inherited from the cloud, organization or a group may still cover it. */
  | 'not-on-folder'
  /** Not decidable read-only: no folder, or the credential does not say whose it is. */
  | 'unknown';

export type CreateReason =
  | 'folder-roles-cover'
  | 'no-folder'
  | 'folder-not-found'
  | 'folder-denied'
  | 'bindings-denied'
  | 'subject-unknown'
  | 'folder-roles-short';

export type CreateCaveat =
  /** Roles on the cloud or organization apply to the folder but are not in its access list. */
  | 'inherited-roles'
  /** The folder grants roles to groups; membership cannot be read. */
  | 'group-bindings'
  /** Granting works only for permissions the granter holds, and the caller's granting role is not admin or owner. */
  | 'grant-own-permissions';

export interface CreateAssessment {
  verdict: CreateVerdict;
  reason: CreateReason;
  /** Roles the caller holds on the folder itself (its own bindings and those granted to everyone); undefined when not known. */
  folderRoles: string[] | undefined;
  /** For each step, the caller's folder roles that allow it (empty: none); undefined when not known. */
  needs: Array<{ need: CreateNeed; anyOf: readonly string[]; heldBy: string[] }> | undefined;
  /** When the caller is unknown: subjects ('userAccount:aje…') whose roles on the folder cover `create`. */
  capableSubjects: string[] | undefined;
  caveats: CreateCaveat[];
  /**
   * With the 'grant-own-permissions' caveat: the preset roles the caller's folder roles do not
   * visibly cover (core/roles.ts rolesBeyondHeld), which the cloud may refuse to let it grant.
   */
  ungrantableRoles?: string[];
}

export interface WhoamiResult {
  credential: { kind: Credential['kind']; source: string; /** Authorized key ID (never the key). */ keyId: string | undefined };
  subject: WhoamiSubject;
  tokenExpiresAt: Date | undefined;
  /** When the checks ran (for "expires in …"). */
  checkedAt: Date;
  tried: string[];
  defaultsSource: string | undefined;
  endpoint: Sourced;
  folder: WhoamiFolder | undefined;
  /** Clouds the caller can see; listed only when no folder was given. */
  clouds: Cloud[] | undefined;
  checks: WhoamiCheck[];
  create: CreateAssessment;
}

/**
 * Reports who the caller is and whether `create` can work on the target folder, with read-only calls
 * only. By ID the folder and its access list are read in parallel; by name it is first found
 * (CloudService.List when no cloud is given, then FolderService.List). Without a folder it lists the
 * visible clouds, which also proves the cloud accepts the credential.
 * @returns the result; a missing or unreadable folder is a verdict (`no`), not an error.
 * @throws AuthError (unauthenticated) when the cloud rejects the credential; UsageError when a folder
 *   name needs a cloud ID (several clouds visible); CloudError for network and server failures.
 */
export async function whoami(gateway: CloudGateway, input: WhoamiQuery, opts: CallOptions = {}): Promise<WhoamiResult> {
  const subject = subjectOf(input.identity);
  const [name, probe] = await Promise.all([
    serviceAccountName(gateway, subject, opts),
    input.target ? probeFolder(gateway, input.target, subject, opts) : probeClouds(gateway, opts),
  ]);
  const c = input.credential;
  return {
    credential: { kind: c.kind, source: c.source, keyId: c.kind === 'sa-key' ? c.key.id : undefined },
    subject: { ...subject, name },
    tokenExpiresAt: input.identity.tokenExpiresAt,
    checkedAt: input.now,
    tried: [...input.tried],
    defaultsSource: input.defaultsSource,
    endpoint: input.endpoint,
    ...probe,
  };
}

type Probe = Pick<WhoamiResult, 'folder' | 'clouds' | 'checks' | 'create'>;

function subjectOf(identity: Identity): Omit<WhoamiSubject, 'name'> {
  const type: SubjectType = identity.kind === 'serviceAccount' || identity.kind === 'userAccount' ? identity.kind : 'unknown';
  return { type, id: identity.id };
}

/** The account's name is a courtesy: any failure to read it leaves it unknown. */
async function serviceAccountName(gateway: CloudGateway, subject: Omit<WhoamiSubject, 'name'>, opts: CallOptions): Promise<string | undefined> {
  if (subject.type !== 'serviceAccount' || !subject.id) return undefined;
  try {
    return (await gateway.getServiceAccount(subject.id, opts)).name || undefined;
  } catch (error) {
    if (error instanceof AppError && !isRejected(error)) return undefined;
    throw error;
  }
}

async function probeClouds(gateway: CloudGateway, opts: CallOptions): Promise<Probe> {
  const check: WhoamiCheck = { name: 'list-clouds', call: 'CloudService.List', status: 'ok' };
  let clouds: Cloud[] | undefined;
  try {
    clouds = await gateway.listClouds(opts);
    check.count = clouds.length;
  } catch (error) {
    Object.assign(check, failedCheck(error));
  }
  return { folder: undefined, clouds, checks: [check], create: assessment('unknown', 'no-folder') };
}

async function probeFolder(gateway: CloudGateway, target: FolderTarget, subject: Omit<WhoamiSubject, 'name'>, opts: CallOptions): Promise<Probe> {
  const checks: WhoamiCheck[] = [];
  const folder: WhoamiFolder =
    target.kind === 'id'
      ? { id: target.folderId.value, name: undefined, cloudId: undefined, givenAs: 'id', source: target.folderId.source }
      : { id: undefined, name: target.folderName.value, cloudId: target.cloudId?.value, givenAs: 'name', source: target.folderName.source };
  const done = (create: CreateAssessment): Probe => ({ folder, clouds: undefined, checks, create });

  if (target.kind === 'name') {
    const check: WhoamiCheck = {
      name: 'resolve-folder-name',
      call: target.cloudId ? 'FolderService.List' : 'CloudService.List, FolderService.List',
      status: 'ok',
    };
    checks.push(check);
    try {
      const found = await resolveFolder(gateway, target, opts);
      Object.assign(folder, { id: found.id, cloudId: found.cloudId ?? folder.cloudId });
    } catch (error) {
      Object.assign(check, failedCheck(error));
      return done(assessment('no', check.status === 'denied' ? 'folder-denied' : 'folder-not-found'));
    }
  }

  const folderId = folder.id ?? '';
  const [got, listed] = await Promise.allSettled([gateway.getFolder(folderId, opts), gateway.listFolderAccessBindings(folderId, opts)]);
  // A rejected credential or a network failure is the run's error, not a verdict.
  for (const r of [got, listed]) if (r.status === 'rejected' && !isVerdict(r.reason)) throw r.reason;

  const getCheck: WhoamiCheck = { name: 'get-folder', call: 'FolderService.Get', status: 'ok' };
  if (got.status === 'fulfilled') Object.assign(folder, { name: got.value.name || folder.name, cloudId: got.value.cloudId || folder.cloudId });
  else Object.assign(getCheck, failedCheck(got.reason));
  const listCheck: WhoamiCheck = { name: 'list-access-bindings', call: 'FolderService.ListAccessBindings', status: 'ok' };
  if (listed.status === 'fulfilled') listCheck.count = listed.value.length;
  else Object.assign(listCheck, failedCheck(listed.reason));
  checks.push(getCheck, listCheck);

  if (getCheck.status === 'not-found' || listCheck.status === 'not-found') return done(assessment('no', 'folder-not-found'));
  // Every role that can grant roles on a folder (create's second step) can also read the folder and its access list.
  if (getCheck.status === 'denied') return done(assessment('no', 'folder-denied'));
  if (listed.status === 'rejected') return done(assessment('no', 'bindings-denied'));
  return done(assessRoles(listed.value, subject));
}

/**
 * What the folder's own access list says about `create` for this subject.
 * @returns `yes` when the subject's roles there (or roles granted to everyone) cover every step,
 *   `not-on-folder` when a known subject's fall short, `unknown` when the subject is not known.
 */
export function assessRoles(bindings: readonly AccessBinding[], subject: Omit<WhoamiSubject, 'name'>): CreateAssessment {
  const everyone = bindings.filter((b) => b.subject.type === 'system' && EVERYONE.has(b.subject.id)).map((b) => b.roleId);
  const groups = bindings.some((b) => b.subject.type === 'group' || (b.subject.type === 'system' && !EVERYONE.has(b.subject.id)));
  const groupCaveat: CreateCaveat[] = groups ? ['group-bindings'] : [];

  if (subject.type === 'unknown' || !subject.id) {
    const viaEveryone = evaluate(everyone);
    if (viaEveryone.covered) return { ...assessment('yes', 'folder-roles-cover'), folderRoles: unique(everyone), needs: viaEveryone.needs, caveats: viaEveryone.caveats };
    const bySubject = new Map<string, string[]>();
    for (const b of bindings) {
      if (b.subject.type === 'system') continue;
      const key = `${b.subject.type}:${b.subject.id}`;
      bySubject.set(key, [...(bySubject.get(key) ?? []), b.roleId]);
    }
    const capable = [...bySubject].filter(([, roles]) => evaluate([...roles, ...everyone]).covered).map(([key]) => key);
    return { ...assessment('unknown', 'subject-unknown'), capableSubjects: capable, caveats: ['inherited-roles', ...groupCaveat] };
  }

  const own = bindings.filter((b) => b.subject.type === subject.type && b.subject.id === subject.id).map((b) => b.roleId);
  const roles = unique([...own, ...everyone]);
  const result = evaluate(roles);
  const beyond = rolesBeyondHeld(roles, PRESET_ROLES);
  // "You can only grant roles you hold": named only when the caller may grant at all.
  const ungrantable = result.needs.find((n) => n.need === 'grant-roles')?.heldBy.length && beyond.length > 0 ? { ungrantableRoles: beyond } : {};
  if (result.covered) return { ...assessment('yes', 'folder-roles-cover'), folderRoles: roles, needs: result.needs, caveats: result.caveats, ...ungrantable };
  return { ...assessment('not-on-folder', 'folder-roles-short'), folderRoles: roles, needs: result.needs, caveats: ['inherited-roles', ...groupCaveat], ...ungrantable };
}

function evaluate(roles: readonly string[]): { covered: boolean; needs: NonNullable<CreateAssessment['needs']>; caveats: CreateCaveat[] } {
  const needs = CREATE_NEEDS.map(({ need, anyOf }) => ({ need, anyOf, heldBy: unique(roles.filter((r) => anyOf.includes(r))) }));
  const covered = needs.every((n) => n.heldBy.length > 0);
  const grant = needs.find((n) => n.need === 'grant-roles');
  const caveats: CreateCaveat[] = covered && grant && !grant.heldBy.some((r) => ALL_POWERFUL.has(r)) ? ['grant-own-permissions'] : [];
  return { covered, needs, caveats };
}

function assessment(verdict: CreateVerdict, reason: CreateReason): CreateAssessment {
  return { verdict, reason, folderRoles: undefined, needs: undefined, capableSubjects: undefined, caveats: [] };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** UNAUTHENTICATED: the credential itself was refused. */
function isRejected(error: unknown): boolean {
  return error instanceof AuthError && error.code === 'unauthenticated';
}

/** Failures that answer the question (denied, not found) rather than abort the run. */
function isVerdict(error: unknown): boolean {
  return error instanceof NotFoundError || (error instanceof AuthError && error.code === 'permission_denied');
}

function failedCheck(error: unknown): Pick<WhoamiCheck, 'status' | 'message'> {
  if (!isVerdict(error)) throw error;
  return { status: error instanceof NotFoundError ? 'not-found' : 'denied', message: (error as AppError).message };
}
