import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickFolderTarget, resolveFolder } from '../../src/core/target.js';
import { NotFoundError, UsageError } from '../../src/errors.js';
import { CLOUD_ID, FakeGateway, FOLDER_ID } from '../helpers/fake-gateway.js';

const id = (value: string, source: string) => ({ value, source });

test('the first source naming a folder wins, whether by ID or by name', () => {
  const t = pickFolderTarget([
    {},
    { folderName: id('default', 'YC_FOLDER_NAME') },
    { folderId: id(FOLDER_ID, 'config folder-id') },
  ]);
  assert.deepEqual(t, { kind: 'name', folderName: id('default', 'YC_FOLDER_NAME'), cloudId: undefined });
});

test('a cloud ID from a lower source still applies to a folder name from a higher one', () => {
  const t = pickFolderTarget([{ folderName: id('default', '--folder-name') }, {}, {}, { cloudId: id(CLOUD_ID, "cloud-id of yc-profile:default") }]);
  assert.equal(t.kind, 'name');
  assert.equal(t.kind === 'name' ? t.cloudId?.value : undefined, CLOUD_ID);
});

test('within one source a folder ID beats a folder name', () => {
  const t = pickFolderTarget([{ folderId: id(FOLDER_ID, 'YC_FOLDER_ID'), folderName: id('default', 'YC_FOLDER_NAME') }]);
  assert.equal(t.kind, 'id');
});

test('a malformed value from config or a profile is a usage error naming where it came from', () => {
  assert.throws(
    () => pickFolderTarget([{}, {}, { folderId: id('not-an-id', 'config folder-id (/x/config.json)') }]),
    (e: unknown) => e instanceof UsageError && e.message.startsWith('config folder-id (/x/config.json): expected a folder ID'),
  );
});

test('no folder anywhere: a usage error that says how to give one', () => {
  assert.throws(() => pickFolderTarget([{}, {}]), (e: unknown) => e instanceof UsageError && /--folder-id: no folder given/.test(e.message));
});

test('resolving by ID makes no call', async () => {
  const gw = new FakeGateway();
  const f = await resolveFolder(gw, { kind: 'id', folderId: id(FOLDER_ID, '--folder-id') });
  assert.equal(f.id, FOLDER_ID);
  assert.equal(gw.calls.length, 0);
});

test('resolving a name uses the only cloud the caller sees', async () => {
  const gw = new FakeGateway();
  const f = await resolveFolder(gw, { kind: 'name', folderName: id('default', '--folder-name'), cloudId: undefined });
  assert.deepEqual(f, { id: FOLDER_ID, name: 'default', cloudId: CLOUD_ID });
  assert.deepEqual(gw.calls.map((c) => c.method), ['listClouds', 'listFolders']);
});

test('several clouds and no --cloud-id: a usage error listing them', async () => {
  const gw = new FakeGateway();
  gw.clouds.push({ id: 'b1gcloud000000000002', name: 'second' });
  await assert.rejects(
    resolveFolder(gw, { kind: 'name', folderName: id('default', '--folder-name'), cloudId: undefined }),
    (e: unknown) => e instanceof UsageError && /^--cloud-id: you can see 2 clouds \(b1gcloud000000000001 \(my-cloud\), b1gcloud000000000002 \(second\)\)/.test(e.message),
  );
});

test('an unknown folder name is NotFound with a hint', async () => {
  const gw = new FakeGateway();
  await assert.rejects(
    resolveFolder(gw, { kind: 'name', folderName: id('nope', '--folder-name'), cloudId: id(CLOUD_ID, '--cloud-id') }),
    (e: unknown) => e instanceof NotFoundError && e.message.includes('"nope"') && e.hints.some((h) => h.includes('yc resource-manager folder list')),
  );
  assert.equal(gw.callsOf('listClouds').length, 0, 'a given cloud is not looked up');
});
