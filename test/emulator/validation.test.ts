import { after, before, describe, it } from 'node:test';
import { type DefaultIds, type Emulator } from './index.js';
import { rejectsWith, tokenClient, type SdkClients } from './sdk-clients.js';
import { startDefaultEmulator } from '../helpers/emulator.js';

/**
 * The id, length and paging rules of the reference's field tables that the per-service files do not
 * already walk through. Every case must fail with INVALID_ARGUMENT and the field named in the message.
 */
describe('request validation across services', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let c: SdkClients;
  const page = { pageSize: 0, pageToken: '' };
  const long = (n: number): string => 'a'.repeat(n);

  before(async () => ({ emu, ids, c } = await startDefaultEmulator()));
  after(() => emu.stop());

  const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
    ['ServiceAccountService.Get: id required', () => c.serviceAccounts.get({ serviceAccountId: '' }), /ServiceAccountId: required/],
    ['ServiceAccountService.Get: id ≤ 50', () => c.serviceAccounts.get({ serviceAccountId: long(51) }), /ServiceAccountId: length must be at most 50/],
    ['ServiceAccountService.Delete: id required', () => c.serviceAccounts.delete({ serviceAccountId: '' }), /ServiceAccountId: required/],
    ['ServiceAccountService.ListOperations: page_size ≤ 1000', () => c.serviceAccounts.listOperations({ serviceAccountId: ids.serviceAccountId, pageSize: 1001, pageToken: '' }), /PageSize/],
    ['ServiceAccountService.List: filter ≤ 1000', () => c.serviceAccounts.list({ folderId: ids.folderId, ...page, filter: `name="${long(1000)}"` }), /Filter: length must be at most 1000/],
    ['ServiceAccountService.List: page_token ≤ 2000', () => c.serviceAccounts.list({ folderId: ids.folderId, pageSize: 0, pageToken: long(2001), filter: '' }), /PageToken: length must be at most 2000/],
    ['ServiceAccountService.Update: description ≤ 256', () => c.serviceAccounts.update({ serviceAccountId: ids.serviceAccountId, updateMask: { paths: ['description'] }, name: '', description: long(257), labels: {} }), /Description: length/],
    ['ServiceAccountService.Update: labels', () => c.serviceAccounts.update({ serviceAccountId: ids.serviceAccountId, updateMask: { paths: ['labels'] }, name: '', description: '', labels: { 'Bad Key': 'x' } }), /Labels: invalid label key/],
    ['ServiceAccountService.Update: name pattern', () => c.serviceAccounts.update({ serviceAccountId: ids.serviceAccountId, updateMask: { paths: ['name'] }, name: 'x-', description: '', labels: {} }), /Name: invalid resource name/],
    ['ApiKeyService.Get: id required', () => c.apiKeys.get({ apiKeyId: '' }), /ApiKeyId: required/],
    ['ApiKeyService.Get: id ≤ 50', () => c.apiKeys.get({ apiKeyId: long(51) }), /ApiKeyId: length must be at most 50/],
    ['ApiKeyService.List: service_account_id ≤ 50', () => c.apiKeys.list({ serviceAccountId: long(51), ...page }), /ServiceAccountId: length/],
    ['ApiKeyService.List: empty id from a user', () => c.apiKeys.list({ serviceAccountId: '', ...page }), /ServiceAccountId: required when the caller is not a service account/],
    ['ApiKeyService.Delete: id required', () => c.apiKeys.delete({ apiKeyId: '' }), /ApiKeyId: required/],
    ['ApiKeyService.Update: description ≤ 256', () => c.apiKeys.update({ apiKeyId: 'ajeanykey00000000000', updateMask: { paths: ['description'] }, description: long(257), scopes: [], expiresAt: undefined }), /Description: length/],
    ['ApiKeyService.Update: expires_at in the past', () => c.apiKeys.update({ apiKeyId: 'ajeanykey00000000000', updateMask: { paths: ['expires_at'] }, description: '', scopes: [], expiresAt: new Date(Date.now() - 1000) }), /ExpiresAt: must be in the future/],
    ['ApiKeyService.ListScopes: page_size ≤ 1000', () => c.apiKeys.listScopes({ pageSize: 1001, pageToken: '' }), /PageSize/],
    ['ApiKeyService.ListScopes: page token', () => c.apiKeys.listScopes({ pageSize: 0, pageToken: 'not-ours' }), /PageToken: invalid page token/],
    ['FolderService.Get: id required', () => c.folders.get({ folderId: '' }), /FolderId: required/],
    ['FolderService.Get: id ≤ 50', () => c.folders.get({ folderId: long(51) }), /FolderId: length must be at most 50/],
    ['FolderService.List: filter grammar', () => c.folders.list({ cloudId: ids.cloudId, ...page, filter: 'name IN ("a")' }), /Filter: invalid filter expression/],
    ['FolderService.ListAccessBindings: resource_id required', () => c.folders.listAccessBindings({ resourceId: '', ...page }), /ResourceId: required/],
    ['FolderService.ListAccessBindings: page_size ≤ 1000', () => c.folders.listAccessBindings({ resourceId: ids.folderId, pageSize: 5000, pageToken: '' }), /PageSize/],
    ['FolderService.SetAccessBindings: ≤ 1000 bindings', () => c.folders.setAccessBindings({ resourceId: ids.folderId, accessBindings: Array.from({ length: 1001 }, () => ({ roleId: 'viewer', subject: { type: 'userAccount', id: ids.userId } })) }), /AccessBindings: at most 1000/],
    ['CloudService.Get: id required', () => c.clouds.get({ cloudId: '' }), /CloudId: required/],
    ['CloudService.List: organization_id ≤ 50', () => c.clouds.list({ ...page, filter: '', organizationId: long(51) }), /OrganizationId: length/],
    ['OperationService.Get: id ≤ 50', () => c.operations.get({ operationId: long(51) }), /OperationId: length/],
    ['SecretService.Get: id required', () => c.secrets.get({ secretId: '' }), /SecretId: required/],
    ['SecretService.List: folder_id required', () => c.secrets.list({ folderId: '', ...page }), /FolderId: required/],
    ['SecretService.AddVersion: description ≤ 1024', () => c.secrets.addVersion({ secretId: 'e6qanysecret00000000', description: long(1025), payloadEntries: [], baseVersionId: '' }), /Description: length must be at most 1024/],
    ['PayloadService.Get: secret_id required', () => c.payloads.get({ secretId: '', versionId: '' }), /SecretId: required/],
  ];
  for (const [what, call, message] of cases) {
    it(what, async () => { await rejectsWith(call(), 'INVALID_ARGUMENT', message); });
  }

  it('IamTokenService.Create: OAuth token ≤ 4000', async () => {
    const { client, channel } = tokenClient(emu);
    try {
      await rejectsWith(client.create({ yandexPassportOauthToken: long(4001), jwt: undefined }), 'INVALID_ARGUMENT', /YandexPassportOauthToken: length must be at most 4000/);
    } finally {
      channel.close();
    }
  });
});
