/**
 * `whoami` for real: the CLI in-process (runCli) -> the credential chain -> src/cloud/connect.ts ->
 * the emulator. One emulator for the file: whoami is read-only, and every test asserts that the
 * emulator recorded no call that changes anything. Every HTTP request must go to loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { defaultFixture, startEmulator, type AuthorizedKeyFile, type DefaultIds, type Emulator } from '../emulator/index.js';
import { runCli, tempDir, type RunCliOptions, type RunCliResult } from '../helpers/run-cli.js';

/** The JSON document, as far as these tests read it. */
interface WhoamiDoc {
  credential: { source: string; kind: string; key_id: string | null };
  subject: { type: string; id: string | null; name: string | null };
  token_expires_at: string | null;
  endpoint: { address: string; source: string };
  folder: { id: string | null; name: string | null; cloud_id: string | null; given_as: string; source: string } | null;
  defaults_from: string | null;
  create: {
    verdict: string;
    reason: string;
    folder_roles: string[] | null;
    needs: Array<{ need: string; held_by: string[]; any_of: string[] }> | null;
    capable_subjects: string[] | null;
    caveats: string[];
  };
  checks: Array<{ name: string; call: string; status: string; count: number | null; message: string | null }>;
  clouds: Array<{ id: string; name: string }> | null;
  tried: string[];
  checked_at: string;
}

const VIEWER_SA_ID = 'ajeviewerrobot000001';
const VIEWER_KEY_ID = 'ajeviewerkey00000001';
const HOUR = 3600_000;

/** Real fetch, refusing anything off loopback. */
const loopbackFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  assert.ok(['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname), `off-loopback fetch to ${url.href}`);
  return fetch(input, init);
};

describe('aistudio-key whoami against the emulator', () => {
  let emu: Emulator;
  let ids: DefaultIds;
  let viewerKey: AuthorizedKeyFile;
  let metadataAddr: string;

  before(async () => {
    const d = defaultFixture();
    ids = d.ids;
    // A service account that only views the folder and has a key, so a viewer's subject is known.
    (d.fixture.serviceAccounts ??= []).push({ id: VIEWER_SA_ID, folderId: ids.folderId, name: 'viewer-robot' });
    (d.fixture.authorizedKeys ??= []).push({ id: VIEWER_KEY_ID, serviceAccountId: VIEWER_SA_ID, publicKey: ids.authorizedKey.public_key });
    d.fixture.folders[0]?.bindings?.push({ roleId: 'viewer', subject: { type: 'serviceAccount', id: VIEWER_SA_ID } });
    viewerKey = {
      ...ids.authorizedKey,
      id: VIEWER_KEY_ID,
      service_account_id: VIEWER_SA_ID,
      private_key: ids.authorizedKey.private_key.replace(ids.authorizedKeyId, VIEWER_KEY_ID),
    };
    emu = await startEmulator({ fixture: d.fixture });
    metadataAddr = new URL(emu.httpUrl).host;
  });
  after(() => emu.stop());

  /** `aistudio-key whoami …` with this emulator's endpoint and CA (unless `endpoint: false`). */
  async function whoami(argv: string[], opts: RunCliOptions & { endpoint?: false } = {}): Promise<RunCliResult> {
    const { endpoint, ...rest } = opts;
    const flags = endpoint === false ? ['--ca-file', emu.caFile] : ['--endpoint', emu.endpoint, '--ca-file', emu.caFile];
    const res = await runCli(['whoami', ...flags, ...argv], { fetch: loopbackFetch, ...rest });
    assert.deepEqual(emu.mutations(), [], 'whoami changed nothing in the cloud');
    for (const secret of emu.secrets()) assert.ok(!res.stdout.includes(secret) && !res.stderr.includes(secret), 'no token on stdout or stderr');
    return res;
  }

  async function whoamiJson(argv: string[], opts: RunCliOptions & { endpoint?: false } = {}): Promise<WhoamiDoc> {
    const res = await whoami([...argv, '--json'], opts);
    assert.equal(res.exitCode, 0, res.stderr);
    return JSON.parse(res.stdout) as WhoamiDoc;
  }

  function keyFile(key: AuthorizedKeyFile): string {
    const path = join(tempDir(), 'key.json');
    writeFileSync(path, JSON.stringify(key));
    return path;
  }

  function ycConfig(profiles: Record<string, Record<string, unknown>>, current = 'prod'): string {
    const path = join(tempDir(), 'config.yaml');
    writeFileSync(path, stringifyYaml({ current, profiles }));
    return path;
  }

  function assertExpiresInAboutTwelveHours(doc: WhoamiDoc): void {
    const left = Date.parse(doc.token_expires_at ?? '') - Date.parse(doc.checked_at);
    assert.ok(left > 11 * HOUR && left <= 12 * HOUR, `expires in ${left} ms`);
  }

  test('an IAM token in YC_IAM_TOKEN: the source, every source tried, subject and expiry unknown, who could create', async () => {
    const doc = await whoamiJson(['--folder-id', ids.folderId], { env: { YC_IAM_TOKEN: ids.userIamToken } });
    assert.deepEqual(doc.credential, { source: 'env:YC_IAM_TOKEN', kind: 'iam-token', key_id: null });
    assert.deepEqual(doc.subject, { type: 'unknown', id: null, name: null });
    assert.equal(doc.token_expires_at, null);
    assert.deepEqual(doc.tried, ['flag --iam-token', 'flag --iam-token-file', 'flag --oauth-token', 'flag --sa-key-file', 'flag --federated-token', 'env YC_IAM_TOKEN']);
    assert.deepEqual(doc.endpoint, { address: emu.endpoint, source: '--endpoint' });
    assert.deepEqual(doc.folder, { id: ids.folderId, name: ids.folderName, cloud_id: ids.cloudId, given_as: 'id', source: '--folder-id' });
    assert.deepEqual(doc.checks.map((c) => [c.call, c.status]), [['FolderService.Get', 'ok'], ['FolderService.ListAccessBindings', 'ok']]);
    assert.deepEqual([doc.create.verdict, doc.create.reason], ['unknown', 'subject-unknown']);
    assert.deepEqual(doc.create.capable_subjects?.sort(), [`serviceAccount:${ids.serviceAccountId}`, `userAccount:${ids.userId}`].sort());
  });

  test('--sa-key-file: the service account is the subject, the token expiry is known, admin on the folder gives yes', async () => {
    const exchanges = emu.calls('IamTokenService/Create').length;
    const doc = await whoamiJson(['--sa-key-file', keyFile(ids.authorizedKey)], { env: { YC_FOLDER_ID: ids.folderId } });
    assert.deepEqual(doc.credential, { source: 'flag:--sa-key-file', kind: 'sa-key', key_id: ids.authorizedKeyId });
    assert.deepEqual(doc.subject, { type: 'serviceAccount', id: ids.serviceAccountId, name: ids.serviceAccountName });
    assertExpiresInAboutTwelveHours(doc);
    assert.equal(doc.folder?.source, 'YC_FOLDER_ID');
    assert.deepEqual(doc.tried, ['flag --iam-token', 'flag --iam-token-file', 'flag --oauth-token', 'flag --sa-key-file']);
    assert.deepEqual([doc.create.verdict, doc.create.reason, doc.create.folder_roles], ['yes', 'folder-roles-cover', ['admin']]);
    assert.deepEqual(doc.create.needs?.map((n) => n.held_by), [['admin'], ['admin'], ['admin']]);
    assert.equal(emu.calls('IamTokenService/Create').length, exchanges + 1, 'one key exchange');
  });

  test('a yc profile (YC_CONFIG_FILE): its token, its endpoint, and its folder name resolved through the gateway', async () => {
    const config = ycConfig({ prod: { token: ids.userIamToken, 'folder-name': ids.otherFolderName, endpoint: emu.endpoint } });
    const doc = await whoamiJson([], { env: { YC_CONFIG_FILE: config }, endpoint: false });
    assert.equal(doc.credential.source, 'yc-profile:prod');
    assert.equal(doc.tried.at(-1), `yc profile 'prod' (${config})`);
    assert.equal(doc.defaults_from, 'yc-profile:prod');
    assert.deepEqual(doc.endpoint, { address: emu.endpoint, source: 'endpoint of yc-profile:prod' });
    assert.deepEqual(doc.folder, {
      id: ids.otherFolderId, name: ids.otherFolderName, cloud_id: ids.cloudId, given_as: 'name', source: 'folder-name of yc-profile:prod',
    });
    assert.deepEqual(doc.checks.map((c) => [c.name, c.status]), [['resolve-folder-name', 'ok'], ['get-folder', 'ok'], ['list-access-bindings', 'ok']]);
  });

  test('the folder comes from the flag, then the env, then aistudio-key config, then the yc profile', async () => {
    const config = ycConfig({ prod: { token: ids.userIamToken, 'folder-id': ids.otherFolderId } });
    const configDir = tempDir();
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ folderName: ids.folderName }));
    const folderOf = async (argv: string[], env: Record<string, string>, dir?: string) =>
      (await whoamiJson(argv, { env: { YC_CONFIG_FILE: config, ...env }, ...(dir ? { configDir: dir } : {}) })).folder;

    assert.equal((await folderOf([], {}))?.source, 'folder-id of yc-profile:prod');
    const fromConfig = await folderOf([], {}, configDir);
    assert.deepEqual([fromConfig?.id, fromConfig?.source], [ids.folderId, `config folder-name (${join(configDir, 'config.json')})`]);
    assert.deepEqual(await folderOf([], { YC_FOLDER_ID: ids.otherFolderId }, configDir), {
      id: ids.otherFolderId, name: ids.otherFolderName, cloud_id: ids.cloudId, given_as: 'id', source: 'YC_FOLDER_ID',
    });
    assert.equal((await folderOf(['--folder-id', ids.folderId], { YC_FOLDER_ID: ids.otherFolderId }, configDir))?.source, '--folder-id');
  });

  test('the metadata service (YC_METADATA_ADDR at the emulator): the token, its expiry and the VM folder', async () => {
    const doc = await whoamiJson([], { env: { YC_METADATA_ADDR: metadataAddr } });
    assert.equal(doc.credential.source, 'metadata');
    assert.equal(doc.tried.at(-1), `metadata service (${metadataAddr})`);
    assertExpiresInAboutTwelveHours(doc);
    assert.deepEqual(doc.subject, { type: 'unknown', id: null, name: null }, 'the metadata service does not say which account');
    assert.equal(doc.defaults_from, 'metadata');
    assert.deepEqual([doc.folder?.id, doc.folder?.source], [ids.folderId, 'folder-id of metadata']);
    assert.equal(doc.create.verdict, 'unknown');
    assert.ok(doc.create.capable_subjects?.includes(`serviceAccount:${ids.metadataServiceAccountId}`));
  });

  test('the viewer user can read the folder and its access list; with an IAM token whether it can create stays unknown, and it is not among those who can', async () => {
    const doc = await whoamiJson(['--folder-id', ids.folderId], { env: { YC_IAM_TOKEN: ids.viewerIamToken } });
    assert.deepEqual(doc.checks.map((c) => c.status), ['ok', 'ok']);
    assert.equal(doc.create.verdict, 'unknown');
    assert.ok(!doc.create.capable_subjects?.some((s) => s.endsWith(ids.viewerUserId)));
  });

  test('a viewer whose subject is known: can read, cannot create by its roles on the folder', async () => {
    const res = await whoami(['--sa-key-file', keyFile(viewerKey), '--folder-id', ids.folderId]);
    assert.equal(res.exitCode, 0, res.stderr);
    assert.match(res.stdout, /^Subject +service account viewer-robot \(ajeviewerrobot000001\)$/m);
    assert.match(res.stdout, /^Checks +FolderService\.Get: ok; FolderService\.ListAccessBindings: ok, 6 bindings$/m);
    assert.match(res.stdout, /^Can create +not by its roles on the folder \(viewer\): they do not allow it to create the service account, grant it roles on the folder, issue its API key$/m);
    assert.match(res.stderr, /Roles held on the cloud or the organization/);

    const doc = await whoamiJson(['--sa-key-file', keyFile(viewerKey), '--folder-id', ids.folderId]);
    assert.deepEqual([doc.create.verdict, doc.create.reason, doc.create.folder_roles], ['not-on-folder', 'folder-roles-short', ['viewer']]);
    assert.deepEqual(doc.create.caveats, ['inherited-roles']);
  });

  test('a user with no role on the folder: no, and still exit 0', async () => {
    const doc = await whoamiJson(['--folder-id', ids.folderId], { env: { YC_IAM_TOKEN: ids.outsiderIamToken } });
    assert.deepEqual(doc.checks.map((c) => [c.call, c.status]), [['FolderService.Get', 'denied'], ['FolderService.ListAccessBindings', 'denied']]);
    assert.deepEqual([doc.create.verdict, doc.create.reason], ['no', 'folder-denied']);
  });

  test('a folder that does not exist: no', async () => {
    const doc = await whoamiJson(['--folder-id', 'b1gnosuchfolder00001'], { env: { YC_IAM_TOKEN: ids.userIamToken } });
    assert.deepEqual([doc.create.verdict, doc.create.reason], ['no', 'folder-not-found']);
  });

  test('no folder anywhere: the visible clouds, verdict unknown', async () => {
    const doc = await whoamiJson([], { env: { YC_IAM_TOKEN: ids.userIamToken } });
    assert.equal(doc.folder, null);
    assert.deepEqual(doc.clouds, [{ id: ids.cloudId, name: ids.cloudName }]);
    assert.deepEqual([doc.create.verdict, doc.create.reason], ['unknown', 'no-folder']);
  });

  test('no credential: exit 3 with the chain\'s message, nothing on stdout, no call to the cloud', async () => {
    const journal = emu.journal.length;
    const res = await whoami(['--folder-id', ids.folderId]);
    assert.equal(res.exitCode, 3);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /^Error: No Yandex Cloud credential found\. Tried, in order: flag --iam-token; .*env YC_SERVICE_ACCOUNT_KEY_FILE; .*yc config \(.*\); metadata service \(127\.0\.0\.1:1\)\./);
    assert.deepEqual(res.connects, []);
    assert.equal(emu.journal.length, journal);

    const json = await whoami(['--json'], {});
    assert.equal(json.exitCode, 3);
    assert.equal(json.stdout, '');
    const err = JSON.parse(json.stderr) as { error: { code: string; message: string } };
    assert.equal(err.error.code, 'no_credential');
  });

  test('an expired token: exit 3, the source named in the hint', async () => {
    const expired = emu.issueIamToken(ids.userId, { ttlMs: -60_000 });
    const res = await whoami(['--folder-id', ids.folderId], { env: { YC_IAM_TOKEN: expired } });
    assert.equal(res.exitCode, 3, res.stderr);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /IAM token from env:YC_IAM_TOKEN may have expired/);
  });

  test('json shape: every key present, nulls rather than missing keys', async () => {
    const doc = await whoamiJson(['--folder-id', ids.folderId], { env: { YC_IAM_TOKEN: ids.userIamToken } });
    assert.deepEqual(Object.keys(doc), ['credential', 'subject', 'token_expires_at', 'endpoint', 'folder', 'defaults_from', 'create', 'checks', 'clouds', 'tried', 'checked_at']);
    assert.deepEqual(Object.keys(doc.credential), ['source', 'kind', 'key_id']);
    assert.deepEqual(Object.keys(doc.subject), ['type', 'id', 'name']);
    assert.deepEqual(Object.keys(doc.endpoint), ['address', 'source']);
    assert.deepEqual(Object.keys(doc.folder ?? {}), ['id', 'name', 'cloud_id', 'given_as', 'source']);
    assert.deepEqual(Object.keys(doc.create), ['verdict', 'reason', 'folder_roles', 'needs', 'capable_subjects', 'caveats']);
    for (const c of doc.checks) assert.deepEqual(Object.keys(c), ['name', 'call', 'status', 'count', 'message']);
    assert.match(doc.checked_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  test('text and yaml: the same facts; env is refused with exit 2', async () => {
    const argv = ['--sa-key-file', keyFile(ids.authorizedKey), '--folder-id', ids.folderId];
    const text = await whoami(argv);
    assert.equal(text.exitCode, 0, text.stderr);
    for (const line of [
      `Credential     authorized key ${ids.authorizedKeyId} from flag:--sa-key-file`,
      `Subject        service account ${ids.serviceAccountName} (${ids.serviceAccountId})`,
      `Endpoint       ${emu.endpoint} (--endpoint)`,
      `Folder         ${ids.folderId} (${ids.folderName}) in cloud ${ids.cloudId}, from --folder-id`,
      'Can create     yes: roles on the folder: admin (read-only check)',
      'Tried          flag --iam-token, flag --iam-token-file, flag --oauth-token, flag --sa-key-file',
    ]) assert.ok(text.stdout.includes(`${line}\n`), `${line}\nin:\n${text.stdout}`);
    assert.match(text.stdout, /^Token expires +\d{4}-\d\d-\d\dT[\d:.]+Z \(in 1[012]h \d+m\)$/m);

    const yaml = await whoami([...argv, '--format', 'yaml']);
    assert.equal(yaml.exitCode, 0, yaml.stderr);
    const doc = parseYaml(yaml.stdout) as WhoamiDoc;
    assert.deepEqual([doc.subject.id, doc.create.verdict], [ids.serviceAccountId, 'yes']);

    const env = await whoami([...argv, '--format', 'env']);
    assert.equal(env.exitCode, 2);
    assert.match(env.stderr, /whoami cannot print env/);
  });
});
