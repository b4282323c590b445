/**
 * Yandex Lockbox for the gateway (reference §9): SecretService Get/List/Create/AddVersion on the
 * `lockbox` endpoint, PayloadService.Get on `lockbox-payload`. The SdkGateway builds one of these on
 * first use and lends it its plumbing (retries, idempotency keys, the operation poller, error
 * mapping), so Lockbox calls behave exactly like the IAM ones. This module, with the SDK's Lockbox
 * files it imports, is loaded only then (a dynamic import in gateway.ts: its own chunk in the bundle).
 *
 * Payload values are secrets: they are registered with the connection's redactor as they arrive and
 * never appear in an error context.
 */
import type { Operation } from '@yandex-cloud/nodejs-sdk/operation/operation';
import type { Secret as PbSecret } from '@yandex-cloud/nodejs-sdk/lockbox-v1/secret';
import type { Channel } from 'nice-grpc';
import { CloudError } from '../errors.js';
import type { ErrorContext } from './errors.js';
import type { MutateExtra } from './gateway.js';
import * as secret from '@yandex-cloud/nodejs-sdk/lockbox-v1/secret';
import * as secretService from '@yandex-cloud/nodejs-sdk/lockbox-v1/secret_service';
import * as payloadService from '@yandex-cloud/nodejs-sdk/lockbox-v1/payload_service';
import { clientFactory } from './sdk.js';
// Resource IDs (a key ID in a payload) are not secrets: keeping them readable in --debug helps.
import { checkedId, checkedOptionalId, isResourceId, MalformedAnswerError } from './shapes.js';
import type { CallOpts } from './transport.js';
import type { AddSecretVersionInput, CallOptions, CreateSecretInput, LockboxSecret, SecretPayload } from './types.js';

/** What the gateway lends: its call wrappers, bound to its connection. */
export interface LockboxPlumbing {
  /** The discovery endpoint, for messages. */
  endpoint: string;
  /** Address of `lockbox` / `lockbox-payload` ('' when discovery did not list it). */
  address(id: 'lockbox' | 'lockbox-payload'): string;
  channel(address: string): Channel;
  read<Res>(method: string, ctx: ErrorContext, opts: CallOptions | undefined, invoke: (o: CallOpts) => Promise<Res>): Promise<Res>;
  pages<Item, Res extends { nextPageToken: string }>(
    method: string,
    ctx: ErrorContext,
    opts: CallOptions | undefined,
    fetch: (pageToken: string, o: CallOpts) => Promise<Res>,
    items: (res: Res) => Item[],
  ): Promise<Item[]>;
  mutate(
    method: string,
    ctx: ErrorContext,
    opts: CallOptions | undefined,
    invoke: (o: CallOpts) => Promise<Operation>,
    resourceIdOf?: (op: Operation) => string | undefined,
    extra?: MutateExtra,
  ): Promise<Operation>;
  unpack<T>(any: { typeUrl: string; value: Buffer } | undefined, fullName: string, codec: { decode(b: Uint8Array): T }): T | undefined;
  /** Registers a secret with the connection's redactor. */
  remember(secret: string): void;
}

/** The List page size: the API maximum. */
const PAGE_SIZE = 1000;

const STATUS = ['UNSPECIFIED', 'CREATING', 'ACTIVE', 'INACTIVE'] as const;

/** A secret's metadata, its IDs checked (src/cloud/shapes.ts). */
function toSecret(s: PbSecret): LockboxSecret {
  return {
    id: checkedId(s.id, 'Lockbox secret ID'),
    folderId: checkedId(s.folderId, 'folder ID of a Lockbox secret'),
    name: s.name,
    description: s.description,
    labels: { ...s.labels },
    status: (STATUS as readonly string[])[s.status] ?? 'UNSPECIFIED',
    currentVersionId: checkedOptionalId(s.currentVersion?.id, 'Lockbox version ID'),
    currentEntryKeys: [...(s.currentVersion?.payloadEntryKeys ?? [])],
  };
}

function entryChanges(entries: Record<string, string>): Array<{ key: string; textValue: string }> {
  return Object.entries(entries).map(([key, textValue]) => ({ key, textValue }));
}

const READ_SECRET = '`lockbox.viewer` (or `viewer`) on the secret or its folder';
const WRITE_SECRET = '`lockbox.editor` (or `editor`) on the secret or its folder';
const READ_PAYLOAD = '`lockbox.payloadViewer` on the secret or its folder';

/** Lockbox calls over the gateway's connection. Built by SdkGateway; not for direct use. */
export class LockboxApi {
  #secrets: ReturnType<typeof LockboxApi.secretsClient> | undefined;
  #payloads: ReturnType<typeof LockboxApi.payloadClient> | undefined;

  constructor(private readonly p: LockboxPlumbing) {}

  private static secretsClient(channel: Channel) {
    return clientFactory.create(secretService.SecretServiceService, channel);
  }

  private static payloadClient(channel: Channel) {
    return clientFactory.create(payloadService.PayloadServiceService, channel);
  }

  private channelFor(id: 'lockbox' | 'lockbox-payload'): Channel {
    const address = this.p.address(id);
    if (!address) {
      throw new CloudError(`The endpoint ${this.p.endpoint} does not list the ${id} service, so Lockbox cannot be used through it.`, {
        hints: ['Lockbox needs an installation that offers it (api.cloud.yandex.net:443 does); check --endpoint.'],
      });
    }
    return this.p.channel(address);
  }

  private get secrets(): ReturnType<typeof LockboxApi.secretsClient> {
    return (this.#secrets ??= LockboxApi.secretsClient(this.channelFor('lockbox')));
  }

  private get payloads(): ReturnType<typeof LockboxApi.payloadClient> {
    return (this.#payloads ??= LockboxApi.payloadClient(this.channelFor('lockbox-payload')));
  }

  /** @throws NotFoundError, AuthError, CloudError */
  async getSecret(secretId: string, opts?: CallOptions): Promise<LockboxSecret> {
    const s = await this.p.read(
      'SecretService/Get',
      { action: `read Lockbox secret ${secretId}`, needs: READ_SECRET, resource: `Lockbox secret ${secretId}` },
      opts,
      (o) => this.secrets.get(secretService.GetSecretRequest.fromPartial({ secretId }), o),
    );
    return toSecret(s);
  }

  /** @throws NotFoundError (folder), AuthError, CloudError */
  async findSecretByName(folderId: string, name: string, opts?: CallOptions): Promise<LockboxSecret | undefined> {
    // SecretService.List has no filter: the folder's secrets are matched by name here.
    const all = await this.p.pages(
      'SecretService/List',
      { action: `list the Lockbox secrets of folder ${folderId}`, needs: `\`lockbox.viewer\` (or \`viewer\`) on folder ${folderId}`, resource: `folder ${folderId}` },
      opts,
      (pageToken, o) => this.secrets.list(secretService.ListSecretsRequest.fromPartial({ folderId, pageSize: PAGE_SIZE, pageToken }), o),
      (r) => r.secrets,
    );
    const hit = all.find((s) => s.name === name);
    return hit ? toSecret(hit) : undefined;
  }

  /** @throws AlreadyExistsError (name taken in the folder), AuthError, CloudError, operation errors */
  async createSecret(input: CreateSecretInput, opts?: CallOptions): Promise<{ secretId: string; versionId: string }> {
    const metadataOf = (op: Operation) => this.p.unpack(op.metadata, 'yandex.cloud.lockbox.v1.CreateSecretMetadata', secretService.CreateSecretMetadata);
    const op = await this.p.mutate(
      'SecretService/Create',
      {
        action: `create Lockbox secret "${input.name}" in folder ${input.folderId}`,
        needs: `\`lockbox.editor\` (or \`editor\`) on folder ${input.folderId}`,
        resource: `folder ${input.folderId}`,
        existsHints: [`A secret named "${input.name}" already exists in folder ${input.folderId}: pass its ID, or another name.`],
      },
      opts,
      (o) =>
        this.secrets.create(
          secretService.CreateSecretRequest.fromPartial({
            folderId: input.folderId,
            name: input.name,
            description: input.description,
            labels: input.labels,
            versionPayloadEntries: entryChanges(input.entries),
          }),
          o,
        ),
      (op) => metadataOf(op)?.secretId,
      // A malformed answer: the secret it made (holding the new key) is deleted again.
      { compensate: async (op) => this.deleteUnchecked(metadataOf(op)?.secretId ?? '') },
    );
    const created = this.p.unpack(op.response, 'yandex.cloud.lockbox.v1.Secret', secret.Secret);
    const meta = metadataOf(op);
    const secretId = created?.id || meta?.secretId || '';
    const versionId = created?.currentVersion?.id || meta?.versionId || '';
    if (!secretId || !versionId) throw new CloudError(`Operation ${op.id} finished without naming the new secret and its version.`);
    try {
      return { secretId: checkedId(secretId, 'Lockbox secret ID'), versionId: checkedId(versionId, 'Lockbox version ID') };
    } catch (error) {
      if (error instanceof MalformedAnswerError) await this.deleteMalformed(error, secretId);
      throw error;
    }
  }

  /** @throws NotFoundError (secret or base version), AuthError, CloudError, operation errors */
  async addSecretVersion(input: AddSecretVersionInput, opts?: CallOptions): Promise<{ versionId: string }> {
    const metadataOf = (op: Operation) => this.p.unpack(op.metadata, 'yandex.cloud.lockbox.v1.AddVersionMetadata', secretService.AddVersionMetadata);
    const op = await this.p.mutate(
      'SecretService/AddVersion',
      {
        action: `add a version to Lockbox secret ${input.secretId}`,
        needs: WRITE_SECRET,
        resource: input.baseVersionId ? `Lockbox secret ${input.secretId} or its version ${input.baseVersionId}` : `Lockbox secret ${input.secretId}`,
      },
      opts,
      (o) =>
        this.secrets.addVersion(
          secretService.AddVersionRequest.fromPartial({
            secretId: input.secretId,
            description: input.description ?? '',
            payloadEntries: entryChanges(input.entries),
            baseVersionId: input.baseVersionId ?? '',
          }),
          o,
        ),
      (op) => metadataOf(op)?.secretId,
    );
    const versionId = this.p.unpack(op.response, 'yandex.cloud.lockbox.v1.Version', secret.Version)?.id || metadataOf(op)?.versionId || '';
    if (!versionId) throw new CloudError(`Operation ${op.id} finished without naming the new version.`);
    // A version cannot be deleted: the caller revokes the key it holds.
    return { versionId: checkedId(versionId, 'Lockbox version ID') };
  }

  /** @throws NotFoundError (secret, or a version: also a secret with no version), AuthError, CloudError */
  async getSecretPayload(secretId: string, versionId: string | undefined, opts?: CallOptions): Promise<SecretPayload> {
    const res = await this.p.read(
      'PayloadService/Get',
      {
        action: `read the contents of Lockbox secret ${secretId}`,
        needs: READ_PAYLOAD,
        resource: versionId ? `Lockbox secret ${secretId} or its version ${versionId}` : `Lockbox secret ${secretId} or its current version`,
      },
      opts,
      (o) => this.payloads.get(payloadService.GetPayloadRequest.fromPartial({ secretId, versionId: versionId ?? '' }), o),
    );
    const entries: Record<string, string> = {};
    for (const e of res.entries) {
      const value = e.textValue ?? e.binaryValue?.toString('base64') ?? '';
      if (!isResourceId(value)) this.p.remember(value);
      entries[e.key] = value;
    }
    return { versionId: checkedId(res.versionId, 'Lockbox version ID'), entries };
  }

  /** Deletes the secret made by a call whose answer is malformed, noting the outcome on `error`. Never throws. */
  private async deleteMalformed(error: MalformedAnswerError, rawId: string): Promise<void> {
    try {
      await this.deleteUnchecked(rawId);
      error.hints.push('The Lockbox secret it made was deleted again.');
    } catch (e) {
      error.hints.push(`The Lockbox secret it made could not be deleted (${e instanceof Error ? e.message : String(e)}).`);
    }
  }

  /** SecretService.Delete by an ID that failed its check (it goes only back to the cloud). */
  private async deleteUnchecked(rawId: string): Promise<void> {
    if (!rawId) throw new Error('the answer named no secret ID');
    await this.p.mutate(
      'SecretService/Delete',
      { action: 'delete the Lockbox secret with the malformed ID', needs: WRITE_SECRET },
      undefined,
      (o) => this.secrets.delete(secretService.DeleteSecretRequest.fromPartial({ secretId: rawId }), o),
      undefined,
      { checkIds: false },
    );
  }
}
