import type { Any } from '@yandex-cloud/nodejs-sdk/google/protobuf/any';
import {
  ActivateSecretMetadata, AddVersionMetadata, CreateSecretMetadata, DeactivateSecretMetadata, DeleteSecretMetadata, SecretServiceService, type PayloadEntryChange,
} from '@yandex-cloud/nodejs-sdk/lockbox-v1/secret_service';
import { PayloadServiceService } from '@yandex-cloud/nodejs-sdk/lockbox-v1/payload_service';
import { Secret, Secret_Status, Version, Version_Status } from '@yandex-cloud/nodejs-sdk/lockbox-v1/secret';
import { EmulatorError, notFound } from '../errors.js';
import { newId, newPassword } from '../ids.js';
import { packAny, type Operations } from '../operations.js';
import { caller, defineService, type CallContext, type ServiceSpec } from '../rpc.js';
import type { PayloadValue, SecretRec, VersionRec, World } from '../state.js';
import type { LockboxStateOptions } from '../types.js';
import { invalid, labels, maxLength, paginate, required } from '../validation.js';

/** 64 KB of values per version (reference §9). */
export const MAX_VERSION_BYTES = 65_536;
const ENTRY_KEY = /^[-_./\\@0-9a-zA-Z]+$/;

const toVersion = (v: VersionRec): Version => ({
  id: v.id, secretId: v.secretId, createdAt: v.createdAt, destroyAt: undefined, description: v.description,
  status: Version_Status.ACTIVE, payloadEntryKeys: [...v.entries.keys()], passwordPayloadSpecification: undefined,
});

/** INACTIVE once deactivated; CREATING until `creatingUntil`; else ACTIVE. */
function statusOf(s: SecretRec, now: number): Secret_Status {
  if (s.deactivated === true) return Secret_Status.INACTIVE;
  if (s.creatingUntil !== undefined && now < s.creatingUntil) return Secret_Status.CREATING;
  return Secret_Status.ACTIVE;
}

/**
 * The content of a secret that is not ACTIVE is out of reach (DOCS:en/lockbox/concepts/secret.md:
 * "When deactivated, it allows access only to its metadata"); the answer's code is a switch.
 */
function assertContentReachable(s: SecretRec, now: number, opts: LockboxStateOptions): void {
  const status = statusOf(s, now);
  if (status === Secret_Status.INACTIVE) {
    const code = opts.inactiveAnswer ?? 'FAILED_PRECONDITION';
    if (code === 'NOT_FOUND') throw notFound('Secret', s.id);
    if (code === 'PERMISSION_DENIED') throw new EmulatorError('PERMISSION_DENIED', `Permission to [${secretResource(s.id)}] denied`);
    throw new EmulatorError('FAILED_PRECONDITION', `Secret ${s.id} is not active`);
  }
  if (status === Secret_Status.CREATING) throw new EmulatorError('FAILED_PRECONDITION', `Secret ${s.id} is being created`);
}

function toSecret(s: SecretRec, now: number): Secret {
  const current = s.versions.find((v) => v.id === s.currentVersionId);
  return {
    id: s.id, folderId: s.folderId, createdAt: s.createdAt, name: s.name, description: s.description, labels: { ...s.labels },
    kmsKeyId: s.kmsKeyId, status: statusOf(s, now), currentVersion: current === undefined ? undefined : toVersion(current),
    deletionProtection: s.deletionProtection, passwordPayloadSpecification: undefined,
  };
}

const secretResource = (id: string): string => `lockbox.secret ${id}`;

/** Applies entry changes onto a copy of `base`; validates keys, values and the 64 KB total. */
function applyEntries(path: string, base: ReadonlyMap<string, PayloadValue>, changes: PayloadEntryChange[]): Map<string, PayloadValue> {
  const out = new Map(base);
  const seen = new Set<string>();
  changes.forEach((c, i) => {
    const at = `${path}[${i}]`;
    required(`${at}.key`, c.key, 256);
    if (!ENTRY_KEY.test(c.key)) throw invalid(`${at}.key`, 'invalid entry key');
    if (seen.has(c.key)) throw invalid(`${at}.key`, `duplicate entry key "${c.key}"`);
    seen.add(c.key);
    if (c.textValue !== undefined) {
      if (Buffer.byteLength(c.textValue) > MAX_VERSION_BYTES) throw invalid(`${at}.text_value`, `at most ${MAX_VERSION_BYTES} bytes`);
      out.set(c.key, { text: c.textValue });
    } else if (c.binaryValue !== undefined) {
      if (c.binaryValue.length > MAX_VERSION_BYTES) throw invalid(`${at}.binary_value`, `at most ${MAX_VERSION_BYTES} bytes`);
      out.set(c.key, { binary: Buffer.from(c.binaryValue) });
    } else throw invalid(`${at}.value`, 'one of text_value or binary_value is required');
  });
  let total = 0;
  for (const v of out.values()) total += v.text !== undefined ? Buffer.byteLength(v.text) : (v.binary?.length ?? 0);
  if (total > MAX_VERSION_BYTES) throw invalid(path, `payload of one version is limited to ${MAX_VERSION_BYTES} bytes (got ${total})`);
  return out;
}

/**
 * Lockbox SecretService: Get, List, Create (first version when entries, a password spec or
 * create_version=true are given; names unique per folder), AddVersion (changes merged onto the base
 * version, which defaults to the current one; the new version becomes current), Delete (refused
 * while deletion protection is on). Other methods are UNIMPLEMENTED.
 */
export function secretService(world: World, ops: Operations, lockboxOpts: LockboxStateOptions = {}): ServiceSpec {
  const findSecret = (id: string): SecretRec => {
    required('secret_id', id, 50);
    const s = world.lockbox.get(id);
    if (s === undefined) throw notFound('Secret', id);
    return s;
  };
  const startOp = (ctx: CallContext, s: SecretRec, description: string, metadata: Any, complete: () => Any, rollback: () => void) =>
    ops.start({
      method: ctx.method, createdBy: caller(ctx).id, idPrefix: 'e6q', description, metadata, folderId: s.folderId,
      resourceIds: [s.id], complete, rollback, fault: ctx.operationFault,
    });

  // Activate/Deactivate: the state changes when the call arrives, like every emulated mutation.
  const setActive = (ctx: CallContext, secretId: string, active: boolean) => {
    const s = findSecret(secretId);
    world.authorize(caller(ctx), active ? 'lockbox.secrets.activate' : 'lockbox.secrets.deactivate', s.folderId, secretResource(s.id));
    const before = s.deactivated;
    s.deactivated = !active;
    const metadataType = active ? 'ActivateSecretMetadata' : 'DeactivateSecretMetadata';
    return startOp(ctx, s, active ? 'Activate secret' : 'Deactivate secret',
      packAny(`yandex.cloud.lockbox.v1.${metadataType}`, active ? ActivateSecretMetadata : DeactivateSecretMetadata, { secretId: s.id }),
      () => packAny('yandex.cloud.lockbox.v1.Secret', Secret, toSecret(s, world.now())),
      () => { s.deactivated = before; });
  };

  return defineService(SecretServiceService, {
    get(ctx, req) {
      const s = findSecret(req.secretId);
      world.authorize(caller(ctx), 'lockbox.secrets.get', s.folderId, secretResource(s.id));
      return toSecret(s, world.now());
    },

    list(ctx, req) {
      required('folder_id', req.folderId, 50);
      const folder = world.folder(req.folderId);
      world.authorize(caller(ctx), 'lockbox.secrets.list', folder.id, `resource-manager.folder ${folder.id}`);
      const all = [...world.lockbox.values()].filter((s) => s.folderId === folder.id);
      const { page, next } = paginate(all, req.pageSize, req.pageToken, 256);
      return { secrets: page.map((x) => toSecret(x, world.now())), nextPageToken: next };
    },

    create(ctx, req) {
      required('folder_id', req.folderId, 50);
      maxLength('name', req.name, 100);
      maxLength('description', req.description, 1024);
      labels('labels', req.labels);
      maxLength('kms_key_id', req.kmsKeyId, 50);
      maxLength('version_description', req.versionDescription, 256);
      const spec = req.passwordPayloadSpecification;
      if (spec !== undefined && req.versionPayloadEntries.length > 0) {
        throw invalid('version_payload_entries', 'cannot be combined with password_payload_specification');
      }
      if (req.createVersion === false && (req.versionPayloadEntries.length > 0 || spec !== undefined)) {
        throw invalid('create_version', 'is false but a payload was given');
      }
      let entries = applyEntries('version_payload_entries', new Map(), req.versionPayloadEntries);
      if (spec !== undefined) {
        required('password_payload_specification.password_key', spec.passwordKey, 256);
        entries = new Map([[spec.passwordKey, { text: newPassword(spec.length > 0 ? spec.length : 36) }]]);
      }
      const folder = world.folder(req.folderId);
      world.authorize(caller(ctx), 'lockbox.secrets.create', folder.id, `resource-manager.folder ${folder.id}`);
      if (req.name !== '' && [...world.lockbox.values()].some((s) => s.folderId === folder.id && s.name === req.name)) {
        throw new EmulatorError('ALREADY_EXISTS', `Secret with name '${req.name}' already exists in folder '${folder.id}'`);
      }
      if (world.secretsInCloud(folder.cloudId) >= world.quotas.secretsPerCloud) throw world.fidelity.quotaExceeded('lockbox.secrets.count', world.quotas.secretsPerCloud);
      const now = new Date(world.now());
      const s: SecretRec = {
        id: newId('e6q', 'lockbox-secret'), folderId: folder.id, name: req.name, description: req.description, labels: { ...req.labels },
        kmsKeyId: req.kmsKeyId, createdAt: now, deletionProtection: req.deletionProtection, versions: [], currentVersionId: undefined,
        ...((lockboxOpts.creatingMs ?? 0) > 0 ? { creatingUntil: now.getTime() + (lockboxOpts.creatingMs ?? 0) } : {}),
      };
      const withVersion = req.createVersion ?? (req.versionPayloadEntries.length > 0 || spec !== undefined);
      if (withVersion) {
        const v: VersionRec = { id: newId('e6q', 'lockbox-version'), secretId: s.id, createdAt: now, description: req.versionDescription, entries };
        s.versions.push(v);
        s.currentVersionId = v.id;
      }
      world.lockbox.set(s.id, s);
      return startOp(ctx, s, 'Create secret',
        packAny('yandex.cloud.lockbox.v1.CreateSecretMetadata', CreateSecretMetadata, { secretId: s.id, versionId: s.currentVersionId ?? '' }),
        () => packAny('yandex.cloud.lockbox.v1.Secret', Secret, toSecret(s, world.now())),
        () => { world.lockbox.delete(s.id); });
    },

    delete(ctx, req) {
      const s = findSecret(req.secretId);
      world.authorize(caller(ctx), 'lockbox.secrets.delete', s.folderId, secretResource(s.id));
      if (s.deletionProtection) throw new EmulatorError('FAILED_PRECONDITION', `Secret '${s.id}' is protected from deletion`);
      world.lockbox.delete(s.id);
      return startOp(ctx, s, 'Delete secret',
        packAny('yandex.cloud.lockbox.v1.DeleteSecretMetadata', DeleteSecretMetadata, { secretId: s.id }),
        () => packAny('yandex.cloud.lockbox.v1.Secret', Secret, toSecret(s, world.now())),
        () => { world.lockbox.set(s.id, s); });
    },

    activate(ctx, req) {
      return setActive(ctx, req.secretId, true);
    },

    deactivate(ctx, req) {
      return setActive(ctx, req.secretId, false);
    },

    addVersion(ctx, req) {
      required('secret_id', req.secretId, 50);
      maxLength('description', req.description, 1024);
      maxLength('base_version_id', req.baseVersionId, 50);
      const s = findSecret(req.secretId);
      world.authorize(caller(ctx), 'lockbox.secrets.addVersion', s.folderId, secretResource(s.id));
      assertContentReachable(s, world.now(), lockboxOpts);
      const baseId = req.baseVersionId !== '' ? req.baseVersionId : s.currentVersionId;
      const base = baseId === undefined ? undefined : s.versions.find((v) => v.id === baseId);
      if (baseId !== undefined && base === undefined) throw notFound('Version', baseId);
      const entries = applyEntries('payload_entries', base?.entries ?? new Map(), req.payloadEntries);
      if (s.versions.length >= world.quotas.versionsPerSecret) throw world.fidelity.quotaExceeded('lockbox.versions.count', world.quotas.versionsPerSecret);
      const v: VersionRec = { id: newId('e6q', 'lockbox-version'), secretId: s.id, createdAt: new Date(world.now()), description: req.description, entries };
      const previous = s.currentVersionId;
      s.versions.push(v);
      s.currentVersionId = v.id;
      return startOp(ctx, s, 'Add version',
        packAny('yandex.cloud.lockbox.v1.AddVersionMetadata', AddVersionMetadata, { secretId: s.id, versionId: v.id }),
        () => packAny('yandex.cloud.lockbox.v1.Version', Version, toVersion(v)),
        () => {
          s.versions = s.versions.filter((x) => x.id !== v.id);
          if (s.currentVersionId === v.id) s.currentVersionId = previous;
        });
    },
  });
}

/** PayloadService.Get: the given version, or the current one. Needs lockbox.payloadViewer (or admin). */
export function payloadService(world: World, lockboxOpts: LockboxStateOptions = {}): ServiceSpec {
  return defineService(PayloadServiceService, {
    get(ctx, req) {
      required('secret_id', req.secretId, 50);
      maxLength('version_id', req.versionId, 50);
      const s = world.lockbox.get(req.secretId);
      if (s === undefined) throw notFound('Secret', req.secretId);
      world.authorize(caller(ctx), 'lockbox.secrets.getPayload', s.folderId, secretResource(s.id));
      assertContentReachable(s, world.now(), lockboxOpts);
      const versionId = req.versionId !== '' ? req.versionId : s.currentVersionId;
      const v = versionId === undefined ? undefined : s.versions.find((x) => x.id === versionId);
      if (v === undefined) throw notFound('Version', versionId ?? `(current of secret ${s.id})`);
      return {
        versionId: v.id,
        entries: [...v.entries].map(([key, val]) => ({ key, textValue: val.text, binaryValue: val.binary })),
      };
    },
  });
}
