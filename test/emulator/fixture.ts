import { generateKeyPairSync } from 'node:crypto';
import { newId, newIamToken, newOauthToken, newSubjectToken } from './ids.js';
import type { AuthorizedKeyFile, DefaultFixtureIds, Fixture } from './types.js';

/** Everything a test needs to know about the default fixture. */
export interface DefaultIds extends DefaultFixtureIds {
  organizationId: string;
  cloudName: string;
  folderName: string;
  otherFolderName: string;
  /** Holds `editor` on the folder and `viewer` on the other folder: a foreign binding that must survive. */
  foreignUserId: string;
  /** A user with a valid token and no role anywhere. */
  outsiderUserId: string;
  outsiderIamToken: string;
  /** `ci-robot`: service account with `admin` on the folder and an authorized key; the metadata service and WLIF hand out its tokens. */
  serviceAccountId: string;
  serviceAccountName: string;
  serviceAccountIamToken: string;
  authorizedKeyId: string;
  /** The key file as yc writes it (private key included). */
  authorizedKey: AuthorizedKeyFile;
  /** `legacy-bot` in the folder, bound to `ai.languageModels.user` there (another foreign binding). */
  foreignServiceAccountId: string;
  foreignServiceAccountName: string;
  /** `shared-robot` in the other folder: a name that is taken cloud-wide though absent from the folder. */
  otherFolderServiceAccountId: string;
  otherFolderServiceAccountName: string;
  /** An external OIDC token that POST /oauth/token exchanges for ci-robot. */
  federatedSubjectToken: string;
  metadataServiceAccountId: string;
}

let keyPair: { publicKey: string; privateKey: string } | undefined;

/** RSA-2048 generation takes ~50–150 ms; one pair per process is plenty for tests. */
function rsaKeyPair(): { publicKey: string; privateKey: string } {
  keyPair ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return keyPair;
}

/**
 * The default world: one cloud with two folders, an admin user, a viewer user, an outsider, foreign
 * bindings on the folder, three service accounts (one with an authorized key), and credentials of
 * every kind. Ids and tokens are minted anew on each call.
 */
export function defaultFixture(): { fixture: Fixture; ids: DefaultIds } {
  const { publicKey, privateKey } = rsaKeyPair();
  const ids = {
    organizationId: newId('bpf'),
    cloudId: newId('b1g'),
    cloudName: 'demo-cloud',
    folderId: newId('b1g'),
    folderName: 'default',
    otherFolderId: newId('b1g'),
    otherFolderName: 'staging',
    userId: newId('aje'),
    viewerUserId: newId('aje'),
    foreignUserId: newId('aje'),
    outsiderUserId: newId('aje'),
    serviceAccountId: newId('aje'),
    serviceAccountName: 'ci-robot',
    foreignServiceAccountId: newId('aje'),
    foreignServiceAccountName: 'legacy-bot',
    otherFolderServiceAccountId: newId('aje'),
    otherFolderServiceAccountName: 'shared-robot',
    authorizedKeyId: newId('aje'),
    userIamToken: newIamToken(),
    viewerIamToken: newIamToken(),
    outsiderIamToken: newIamToken(),
    serviceAccountIamToken: newIamToken(),
    userOauthToken: newOauthToken(),
    federatedSubjectToken: newSubjectToken(),
  };
  const authorizedKey: AuthorizedKeyFile = {
    id: ids.authorizedKeyId,
    service_account_id: ids.serviceAccountId,
    created_at: new Date().toISOString(),
    key_algorithm: 'RSA_2048',
    public_key: publicKey,
    private_key: `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID ${ids.authorizedKeyId}\n${privateKey}`,
  };
  const user = (id: string) => ({ type: 'userAccount', id });
  const sa = (id: string) => ({ type: 'serviceAccount', id });
  const fixture: Fixture = {
    clouds: [{ id: ids.cloudId, name: ids.cloudName, organizationId: ids.organizationId }],
    folders: [
      {
        id: ids.folderId, cloudId: ids.cloudId, name: ids.folderName,
        bindings: [
          { roleId: 'admin', subject: user(ids.userId) },
          { roleId: 'viewer', subject: user(ids.viewerUserId) },
          { roleId: 'editor', subject: user(ids.foreignUserId) },
          { roleId: 'admin', subject: sa(ids.serviceAccountId) },
          { roleId: 'ai.languageModels.user', subject: sa(ids.foreignServiceAccountId) },
        ],
      },
      {
        id: ids.otherFolderId, cloudId: ids.cloudId, name: ids.otherFolderName,
        bindings: [
          { roleId: 'admin', subject: user(ids.userId) },
          { roleId: 'viewer', subject: user(ids.foreignUserId) },
        ],
      },
    ],
    users: [
      { id: ids.userId, type: 'userAccount' },
      { id: ids.viewerUserId, type: 'userAccount' },
      { id: ids.foreignUserId, type: 'userAccount' },
      { id: ids.outsiderUserId, type: 'userAccount' },
    ],
    serviceAccounts: [
      { id: ids.serviceAccountId, folderId: ids.folderId, name: ids.serviceAccountName, description: 'CI robot' },
      { id: ids.foreignServiceAccountId, folderId: ids.folderId, name: ids.foreignServiceAccountName },
      { id: ids.otherFolderServiceAccountId, folderId: ids.otherFolderId, name: ids.otherFolderServiceAccountName },
    ],
    authorizedKeys: [{ id: ids.authorizedKeyId, serviceAccountId: ids.serviceAccountId, publicKey }],
    iamTokens: {
      [ids.userIamToken]: ids.userId,
      [ids.viewerIamToken]: ids.viewerUserId,
      [ids.outsiderIamToken]: ids.outsiderUserId,
      [ids.serviceAccountIamToken]: ids.serviceAccountId,
    },
    oauthTokens: { [ids.userOauthToken]: ids.userId },
    federatedTokens: { [ids.federatedSubjectToken]: ids.serviceAccountId },
    metadataServiceAccountId: ids.serviceAccountId,
    metadataFolderId: ids.folderId,
  };
  return { fixture, ids: { ...ids, authorizedKey, metadataServiceAccountId: ids.serviceAccountId } };
}
