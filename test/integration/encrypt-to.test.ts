/**
 * `--encrypt-to <age recipient>` (issue 15, item 3) for real against the emulator: the secret is
 * sealed with age wherever it is written (JSON/YAML "secret_encrypted", text, --format secret,
 * --out-file), any recipient can decrypt it, and the plaintext appears nowhere; bad recipients and
 * formats or targets that would carry the secret otherwise are exit 2 before any call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decrypter, armor, generateIdentity, identityToRecipient } from 'age-encryption';
import { parse as parseYaml } from 'yaml';
import { assertUsageLine, createWorlds } from '../helpers/create-world.js';
import { freshWorlds, SEED } from '../helpers/keys-world.js';
import { tempDir } from '../helpers/run-cli.js';

const createWorld = createWorlds({ folderFlag: true });
const keysWorld = freshWorlds();

const ARMOUR = /^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+\n-----END AGE ENCRYPTED FILE-----\n$/;

async function keyPair(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

async function open(armoured: string, identity: string): Promise<string> {
  const d = new Decrypter();
  d.addIdentity(identity);
  return new TextDecoder().decode(await d.decrypt(armor.decode(armoured)));
}

/** The API key secrets the emulator issued (not tokens). */
const issued = (secrets: string[]): string[] => secrets.filter((s) => s.startsWith('AQVN'));

test('create --encrypt-to --json: "secret_encrypted" and no "secret"; it decrypts to the new key\'s secret; no plaintext anywhere', async () => {
  const w = await createWorld();
  const me = await keyPair();
  const res = await w.create(['--encrypt-to', me.recipient, '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as Record<string, unknown> & { secret_encrypted: string };
  assert.equal('secret' in doc, false);
  assert.match(doc.secret_encrypted, ARMOUR);
  const secret = await open(doc.secret_encrypted, me.identity);
  assert.deepEqual(issued(w.emu.secrets()), [secret]);
  assert.ok(!res.stdout.includes(secret) && !res.stderr.includes(secret), 'the plaintext is nowhere');
});

test('repeatable and @file: every recipient can decrypt; text and --format secret carry the armour', async () => {
  const w = await createWorld();
  const [a, b, c] = await Promise.all([keyPair(), keyPair(), keyPair()]);
  const file = join(tempDir(), 'recipients.txt');
  writeFileSync(file, `# the team\n${b.recipient}\n\n${c.recipient}\n`);
  const res = await w.create(['--encrypt-to', a.recipient, '--encrypt-to', `@${file}`, '--format', 'secret']);
  assert.equal(res.exitCode, 0, res.stderr);
  assert.match(res.stdout, ARMOUR);
  const secrets = await Promise.all([a, b, c].map((k) => open(res.stdout, k.identity)));
  assert.equal(new Set(secrets).size, 1);
  assert.deepEqual(issued(w.emu.secrets()), [secrets[0]]);

  const text = await w.create(['--encrypt-to', a.recipient]);
  assert.equal(text.exitCode, 0, text.stderr);
  assert.match(text.stdout, /Secret +age-encrypted \(--encrypt-to\), below\n-----BEGIN AGE ENCRYPTED FILE-----\n/);
  for (const s of issued(w.emu.secrets())) assert.ok(!text.stdout.includes(s) && !text.stderr.includes(s));

  const yaml = await w.create(['--encrypt-to', a.recipient, '--format', 'yaml']);
  const ydoc = parseYaml(yaml.stdout) as { secret?: string; secret_encrypted: string };
  assert.equal(ydoc.secret, undefined);
  assert.ok(issued(w.emu.secrets()).includes(await open(ydoc.secret_encrypted, a.identity)));
});

test('--out-file with --encrypt-to: the file holds only the ciphertext; --count 2 seals each key', async () => {
  const w = await createWorld();
  const me = await keyPair();
  const path = join(tempDir(), 'key.json');
  const res = await w.create(['--encrypt-to', me.recipient, '--out-file', path, '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const fileDoc = JSON.parse(readFileSync(path, 'utf8')) as { secret?: string; secret_encrypted: string };
  assert.equal(fileDoc.secret, undefined);
  const secret = await open(fileDoc.secret_encrypted, me.identity);
  assert.ok(!readFileSync(path, 'utf8').includes(secret) && !res.stdout.includes(secret));

  const many = await w.create(['--encrypt-to', me.recipient, '--count', '2', '--json']);
  assert.equal(many.exitCode, 0, many.stderr);
  const docs = JSON.parse(many.stdout) as Array<{ secret?: string; secret_encrypted: string }>;
  assert.equal(docs.length, 2);
  const opened = await Promise.all(docs.map((d) => open(d.secret_encrypted, me.identity)));
  for (const s of opened) assert.ok(issued(w.emu.secrets()).includes(s) && !many.stdout.includes(s));
});

test('rotate --encrypt-to: the new secret sealed, the old key revoked', async () => {
  const w = await keysWorld();
  const me = await keyPair();
  const res = await w.cli(['rotate', SEED.keyA1, '--encrypt-to', me.recipient, '--json']);
  assert.equal(res.exitCode, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as { secret?: string; secret_encrypted: string; revoked: string[] };
  assert.equal(doc.secret, undefined);
  assert.deepEqual(doc.revoked, [SEED.keyA1]);
  assert.ok(w.emu.secrets().includes(await open(doc.secret_encrypted, me.identity)));
  w.assertNoSecrets(res);
});

test('bad recipients, and formats or targets that would carry the secret otherwise: exit 2, no call', async () => {
  const w = await createWorld();
  const me = await keyPair();
  const empty = join(tempDir(), 'none.txt');
  writeFileSync(empty, '# nobody yet\n');
  const cases: Array<[string[], RegExp]> = [
    [['--encrypt-to', 'age1notarealrecipient'], /^--encrypt-to: "age1notarealrecipient" is not a valid age recipient/],
    [['--encrypt-to', 'ssh-ed25519 AAAAC3Nza'], /^--encrypt-to: expected an age recipient/],
    [['--encrypt-to', `@${join(tempDir(), 'missing.txt')}`], /^--encrypt-to: cannot read the recipients file .*\(ENOENT\)/],
    [['--encrypt-to', `@${empty}`], /^--encrypt-to: the recipients file .* holds no recipient/],
    [['--encrypt-to', me.recipient, '--format', 'env'], /^--encrypt-to with --format env: /],
    [['--encrypt-to', me.recipient, '--format', 'dotenv'], /^--encrypt-to with --format dotenv: /],
    [['--encrypt-to', me.recipient, '--to-lockbox', 'ai-key'], /^--encrypt-to and --to-lockbox: --to-lockbox keeps the secret itself; pass only one of them$/],
    [['--encrypt-to', me.recipient, '--github-output'], /^--encrypt-to and --github-output: --github-output keeps the secret itself; pass only one of them$/],
    [['--encrypt-to', me.recipient, '--out-file', join(tempDir(), 'k.env')], /^--encrypt-to with --out-file: .*--format json or yaml/],
  ];
  for (const [argv, message] of cases) {
    assertUsageLine(await w.create(argv), message, argv.join(' '));
  }
  assert.deepEqual(w.emu.journal, [], 'no call reached the cloud');
});
