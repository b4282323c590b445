/**
 * The package as a user installs it (issue #12): `npm pack`, `npm install <tarball> --omit=dev` into a
 * temporary prefix (test/helpers/installed-package.ts), then that installed bin, spawned, against the
 * emulator in this process, from a lived-in HOME (test/helpers/lived-in-home.ts: a yc config whose
 * current profile points elsewhere, and an aistudio-key config with `format: yaml`).
 *
 * Every command, in every output format it has (from src/commands/command-specs.ts), and every credential
 * source runs at least once; the last test checks that nothing of that list was missed, so a new
 * command or format has to be added here.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { COMMAND_SPECS } from '../../src/commands/command-specs.js';
import { TOKEN_EXCHANGE_PATH } from '../emulator/index.js';
import { ageKeyPair, ageOpen } from '../helpers/age.js';
import { installedWorld } from '../helpers/installed-world.js';
import { livedInHome, type LivedInHome } from '../helpers/lived-in-home.js';
import { runBin, type BinRun } from '../helpers/run-bin.js';

const world = installedWorld({ operationDelayMs: 10 });


/** `command format` pairs and credential sources that ran successfully through the installed bin. */
const covered = new Set<string>();

const COMMANDS = COMMAND_SPECS.map((s) => ({ name: s.name.split(' ')[0] ?? s.name, formats: s.formats }));
const SOURCES = [
  'flag:--iam-token', 'flag:--iam-token-file', 'flag:--oauth-token', 'flag:--sa-key-file', 'flag:--federated-token',
  'env:YC_IAM_TOKEN', 'env:YC_OAUTH_TOKEN', 'env:YC_TOKEN', 'env:YC_SERVICE_ACCOUNT_KEY_FILE', 'gitlab-oidc',
  'yc-profile:sandbox', 'yc-profile:robot', 'yc-profile:vm', 'metadata',
];

/** Which format a run printed in: --format/--json, else the HOME's configured default when the command has it, else text. */
function formatOf(command: string, argv: readonly string[], configured: string | undefined): string {
  const i = argv.indexOf('--format');
  if (i >= 0) return argv[i + 1] ?? '';
  if (argv.includes('--json')) return 'json';
  const formats: readonly string[] = COMMANDS.find((c) => c.name === command)?.formats ?? [];
  return configured && formats.includes(configured) ? configured : 'text';
}

interface CliOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** Another HOME (default: the shared lived-in one). */
  at?: LivedInHome;
  /** The configured default format of that HOME (default yaml). */
  configured?: string;
}

/** Runs the installed bin; records `command format` when it exits 0. */
async function cli(argv: string[], opts: CliOptions = {}): Promise<BinRun> {
  const at = opts.at ?? world.home;
  const r = await runBin(argv, { bin: world.pkg.bin, env: { ...at.env, ...opts.env }, stdin: opts.stdin, cwd: at.home });
  const command = argv.find((a) => COMMANDS.some((c) => c.name === a));
  if (r.code === 0 && command) covered.add(`${command} ${formatOf(command, argv, 'configured' in opts ? opts.configured : 'yaml')}`);
  return r;
}

const SECRET = /AQVN[A-Za-z0-9_-]{36}/g;

/** The secret once on stdout, never on stderr; no token on either. */
function assertSecretHygiene(r: BinRun, expectedOnStdout: number): void {
  assert.equal(r.stdout.match(SECRET)?.length ?? 0, expectedOnStdout, 'secrets on stdout');
  assert.equal(r.stderr.match(SECRET)?.length ?? 0, 0, 'no secret on stderr');
  for (const s of world.emu.secrets()) if (s.length > 20 && !s.startsWith('AQVN')) assert.ok(!r.stderr.includes(s), 'no token on stderr');
}

/** No yc config, no settings: a CI runner's or a VM's HOME. */
function bareHome(): LivedInHome {
  const dir = mkdtempSync(join(tmpdir(), 'aistudio-key-bare-'));
  return { home: dir, ycConfig: join(dir, 'none'), settingsFile: join(dir, 'none'), env: { HOME: dir, GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: world.emu.caFile } };
}

/** Where, as flags: for runs from a HOME without settings. */
const where = (): string[] => ['--endpoint', world.emu.endpoint, '--folder-id', world.ids.folderId];

interface KeyDoc { secret: string; api_key: { id: string; expires_at: string | null; scopes: string[] }; service_account: { id: string; name: string } }

describe('version and help', () => {
  test('--version and -V print the packed version; help pages exit 0', async () => {
    const version = (JSON.parse(readFileSync(join(world.pkg.packageDir, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${version}\n`);
      assert.equal(r.stderr, '');
    }
    for (const argv of [['--help'], ['help'], ['help', 'create'], ['create', '--help'], ['list', '-h'], ['help', 'environment'], ['help', 'exit-codes']]) {
      const r = await cli(argv);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: aistudio-key/, argv.join(' '));
    }
    assert.match((await cli(['help', 'exit-codes'])).stdout, /^ {2}130 +interrupted/m, 'the exit-code table');
    assert.match((await cli(['help', 'environment'])).stdout, /^ {2}YC_IAM_TOKEN +IAM token/m, 'the environment variables');
    covered.add('help text');
  });
});

describe('create in every format, from the lived-in HOME', { concurrency: 4 }, () => {
  test('no --format: the configured yaml, with the configured 30-day expiry; the secret once', async () => {
    const r = await cli(['create', '--description', 'configured default'], { env: { YC_IAM_TOKEN: world.ids.userIamToken } });
    assert.equal(r.code, 0, r.stderr);
    assertSecretHygiene(r, 1);
    const doc = parseYaml(r.stdout) as KeyDoc;
    assert.ok(world.emu.state.apiKeys().some((k) => k.id === doc.api_key.id), 'the key exists');
    const days = (Date.parse(doc.api_key.expires_at ?? '') - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 30, `expires in ${days} days (config: 30d)`);
    covered.add('env:YC_IAM_TOKEN');
  });

  for (const format of ['text', 'json', 'yaml', 'env', 'dotenv']) {
    test(`--format ${format}`, async () => {
      const r = await cli(['create', '--format', format, '--ca-file', world.emu.caFile], { env: { YC_IAM_TOKEN: world.ids.userIamToken } });
      assert.equal(r.code, 0, r.stderr);
      assertSecretHygiene(r, 1);
      const secret = r.stdout.match(SECRET)?.[0] ?? '';
      assert.ok(world.emu.state.apiKeys().some((k) => world.emu.secrets().includes(secret) && k.id.length === 20), 'the printed secret is one the cloud issued');
      if (format === 'json') assert.equal((JSON.parse(r.stdout) as KeyDoc).secret, secret);
      if (format === 'yaml') assert.equal((parseYaml(r.stdout) as KeyDoc).secret, secret);
      if (format === 'env') assert.match(r.stdout, new RegExp(`^YC_API_KEY='${secret}'$`, 'm'));
      if (format === 'dotenv') assert.match(r.stdout, new RegExp(`^YC_API_KEY=${secret}$`, 'm'));
      if (format === 'text') assert.match(r.stdout, new RegExp(secret));
    });
  }

  test('delivery targets: --out-file (0600), --github-output, --to-lockbox; stdout then holds no secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aistudio-key-out-'));
    const outFile = join(dir, 'ai.env');
    const ghOutput = join(dir, 'github-output');
    writeFileSync(ghOutput, '');
    const r = await cli(['create', '--json', '--out-file', outFile, '--to-lockbox', 'e2e-key'], { env: { YC_IAM_TOKEN: world.ids.userIamToken } });
    assert.equal(r.code, 0, r.stderr);
    assertSecretHygiene(r, 0);
    assert.equal(statSync(outFile).mode & 0o777, 0o600);
    assert.match(readFileSync(outFile, 'utf8'), SECRET);
    const doc = JSON.parse(r.stdout) as { lockbox: { secret_id: string } };
    assert.ok(world.emu.state.lockboxSecrets().some((s) => s.id === doc.lockbox.secret_id));
    const gh = await cli(['create', '--github-output', '--format', 'json'], { env: { YC_IAM_TOKEN: world.ids.userIamToken, GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: ghOutput } });
    assert.equal(gh.code, 0, gh.stderr);
    // The mask goes to stderr (the runner reads workflow commands on both streams), and stdout
    // stays one JSON document with no secret in it.
    assert.match(gh.stderr, /^::add-mask::AQVN/m);
    assert.doesNotMatch(gh.stdout, new RegExp(SECRET.source));
    JSON.parse(gh.stdout);
    assert.match(readFileSync(ghOutput, 'utf8'), /^api-key<</m);
  });
});

describe('credential sources, each through the installed package', { concurrency: 4 }, () => {
  const exchangeUrl = (): string => `${world.emu.httpUrl}${TOKEN_EXCHANGE_PATH}`;
  const keyFile = (): string => {
    const file = join(world.home.home, 'robot-key.json');
    if (!existsSync(file)) writeFileSync(file, JSON.stringify(world.ids.authorizedKey), { mode: 0o600 });
    return file;
  };

  const cases: Array<{ source: string; argv: () => string[]; env?: () => Record<string, string>; stdin?: () => string; at?: () => LivedInHome; create?: boolean }> = [
    { source: 'flag:--iam-token', argv: () => ['--iam-token', world.ids.userIamToken] },
    { source: 'flag:--iam-token-file', argv: () => ['--iam-token-file', '-'], stdin: () => `${world.ids.userIamToken}\n` },
    { source: 'flag:--oauth-token', argv: () => ['--oauth-token', world.ids.userOauthToken] },
    { source: 'flag:--sa-key-file', argv: () => ['--sa-key-file', keyFile()], create: true },
    { source: 'flag:--federated-token', argv: () => ['--federated-token', world.ids.federatedSubjectToken, '--service-account-id', world.ids.serviceAccountId], env: () => ({ YC_TOKEN_EXCHANGE_URL: exchangeUrl() }), create: true },
    { source: 'env:YC_OAUTH_TOKEN', argv: () => [], env: () => ({ YC_OAUTH_TOKEN: world.ids.userOauthToken }) },
    { source: 'env:YC_TOKEN', argv: () => [], env: () => ({ YC_TOKEN: world.ids.userIamToken }) },
    { source: 'env:YC_SERVICE_ACCOUNT_KEY_FILE', argv: () => [], env: () => ({ YC_SERVICE_ACCOUNT_KEY_FILE: keyFile() }) },
    {
      source: 'gitlab-oidc',
      argv: () => [],
      env: () => ({ GITLAB_CI: 'true', CI: 'true', YC_ID_TOKEN: world.ids.federatedSubjectToken, YC_SERVICE_ACCOUNT_ID: world.ids.serviceAccountId, YC_TOKEN_EXCHANGE_URL: exchangeUrl() }),
      at: bareHome,
    },
    { source: 'yc-profile:sandbox', argv: () => ['--profile', 'sandbox'], create: true },
    { source: 'yc-profile:robot', argv: () => [], env: () => ({ YC_PROFILE: 'robot' }) },
    { source: 'yc-profile:vm', argv: () => ['--profile', 'vm'], env: () => ({ YC_METADATA_ADDR: new URL(world.emu.httpUrl).host }) },
    { source: 'metadata', argv: () => [], env: () => ({ YC_METADATA_ADDR: new URL(world.emu.httpUrl).host }), at: bareHome, create: true },
  ];

  for (const c of cases) {
    test(`${c.source}: whoami names it${c.create ? ', and create works with it' : ''}`, async () => {
      const at = c.at?.();
      const opts: CliOptions = { env: c.env?.() ?? {}, ...(c.stdin ? { stdin: c.stdin() } : {}), ...(at ? { at, configured: undefined } : {}) };
      const who = await cli(['whoami', '--json', ...c.argv(), ...where()], opts);
      assert.equal(who.code, 0, who.stderr);
      const doc = JSON.parse(who.stdout) as { credential: { source: string } };
      // An instance-service-account profile gets its token from the metadata service, and says so.
      const expected = c.source === 'gitlab-oidc' ? /oidc|gitlab|federat/i : c.source === 'yc-profile:vm' ? /^metadata$/ : new RegExp(`^${c.source.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}$`);
      assert.match(doc.credential.source, expected);
      if (c.create) {
        const r = await cli(['create', '--format', 'json', ...c.argv(), ...where()], { ...opts, ...(c.stdin ? { stdin: c.stdin() } : {}) });
        assert.equal(r.code, 0, r.stderr);
        assertSecretHygiene(r, 1);
      }
      covered.add(c.source);
    });
  }

});

describe('refusals, one at a time (they count the calls that change the cloud)', () => {

  test('the current yc profile points elsewhere: its token is refused, exit 3 naming it, nothing changed', async () => {
    const before = world.emu.mutations().length;
    const r = await cli(['create', '--json']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /yc-profile:prod|profile 'prod'|prod/);
    assert.equal(world.emu.mutations().length, before);
  });

  test('no credential anywhere: exit 3, listing the sources tried', async () => {
    const r = await cli(['create', '--json', ...where()], { at: bareHome(), configured: undefined });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /YC_IAM_TOKEN/);
  });

  test('bad input: exit 2, one line naming the flag, no call that changes the cloud', async () => {
    const before = world.emu.mutations().length;
    const r = await cli(['create', '--expires-in', 'soon'], { env: { YC_IAM_TOKEN: world.ids.userIamToken } });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--expires-in/);
    assert.equal(world.emu.mutations().length, before);
  });
});

// Before the concurrent tests below: a listing while another run deletes an account fails with
// NOT_FOUND for that account (the account list and its keys are read one after the other).
describe('list', () => {
  const listed = async (): Promise<KeyDoc> => {
    const r = await cli(['create', '--json', '--description', 'to list'], { env: { YC_IAM_TOKEN: world.ids.userIamToken } });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as KeyDoc;
  };

  test('list in text, json and yaml; --expiring-within exits 5 when keys expire within it', async () => {
    const key = await listed();
    for (const format of ['text', 'json', 'yaml']) {
      const r = await cli(['list', '--format', format], { env: { YC_IAM_TOKEN: world.ids.userIamToken } });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes(key.api_key.id), `${format} lists the new key`);
      assertSecretHygiene(r, 0);
    }
    const soon = await cli(['list', '--expiring-within', '60d', '--json'], { env: { YC_IAM_TOKEN: world.ids.userIamToken } });
    assert.equal(soon.code, 5, soon.stderr);
  });
});

describe('managing keys through the installed package', { concurrency: 4 }, () => {
  const env = (): Record<string, string> => ({ YC_IAM_TOKEN: world.ids.userIamToken });
  // The keys these tests rotate and revoke, made by one `create --count` (one process, not ten).
  let made: KeyDoc[] = [];
  before(async () => {
    const r = await cli(['create', '--count', '10', '--json', '--name', 'managed'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assertSecretHygiene(r, 10);
    made = JSON.parse(r.stdout) as KeyDoc[];
  });
  const newKey = async (): Promise<KeyDoc> => {
    const key = made.shift();
    assert.ok(key, 'a key made for these tests is left');
    return key;
  };

  test('whoami in text, json and yaml', async () => {
    for (const format of ['text', 'json', 'yaml']) {
      const r = await cli(['whoami', '--format', format], { env: env() });
      assert.equal(r.code, 0, r.stderr);
      if (format === 'text') assert.match(r.stdout, /env:YC_IAM_TOKEN/);
      else assert.equal((format === 'json' ? JSON.parse(r.stdout) : parseYaml(r.stdout)).credential.source, 'env:YC_IAM_TOKEN');
    }
  });

  for (const format of ['text', 'json', 'yaml', 'env', 'dotenv']) {
    test(`rotate --format ${format}: a new key printed once, the old one revoked`, async () => {
      const old = await newKey();
      const r = await cli(['rotate', old.api_key.id, '--format', format], { env: env() });
      assert.equal(r.code, 0, r.stderr);
      assertSecretHygiene(r, 1);
      assert.ok(!world.emu.state.apiKeys().some((k) => k.id === old.api_key.id), 'the old key is gone');
    });
  }

  for (const format of ['text', 'json', 'yaml']) {
    test(`revoke --yes --format ${format}`, async () => {
      const key = await newKey();
      const r = await cli(['revoke', '--yes', '--with-service-account', key.api_key.id, '--format', format], { env: env() });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!world.emu.state.apiKeys().some((k) => k.id === key.api_key.id));
      assert.ok(!world.emu.state.serviceAccounts().some((a) => a.id === key.service_account.id), 'its account too');
    });
  }

  test('revoke without --yes, not at a terminal: exit 4, nothing touched', async () => {
    const key = await newKey();
    const r = await cli(['revoke', key.api_key.id, '--format', 'text'], { env: env() });
    assert.equal(r.code, 4, r.stderr);
    assert.ok(world.emu.state.apiKeys().some((k) => k.id === key.api_key.id));
  });

  test('scopes in text, json and yaml (from the cloud), and --offline without a credential', async () => {
    for (const format of ['text', 'json', 'yaml']) {
      const r = await cli(['scopes', '--format', format], { env: env() });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /yc\.ai\.languageModels\.execute/);
    }
    const offline = await cli(['scopes', '--offline']);
    assert.equal(offline.code, 0, offline.stderr);
    assert.ok(parseYaml(offline.stdout), 'the configured yaml parses');
  });

  test('ensure in text, json and yaml: rotated once, then up to date', async () => {
    const args = ['ensure', '--service-account', 'ci-e2e', '--to-lockbox', 'ci-e2e-key'];
    const first = await cli([...args, '--format', 'json'], { env: env() });
    assert.equal(first.code, 0, first.stderr);
    assert.equal((JSON.parse(first.stdout) as { status: string }).status, 'rotated');
    assertSecretHygiene(first, 0);
    const again = await cli([...args, '--format', 'yaml'], { env: env() });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((parseYaml(again.stdout) as { status: string }).status, 'up-to-date');
    const text = await cli([...args, '--format', 'text'], { env: env() });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stderr, /Up to date/);
  });
});

describe('config and completion through the installed package', { concurrency: 2 }, () => {
  test('config list/get/set/unset in text, json and yaml, writing the file conf reads', async () => {
    const at = livedInHome(world.emu, world.ids);
    const list = await cli(['config', 'list'], { at });
    assert.equal(list.code, 0, list.stderr);
    assert.equal((parseYaml(list.stdout) as { settings: Record<string, unknown> }).settings['format'], 'yaml', 'config list in the configured yaml');
    const json = await cli(['config', 'list', '--format', 'json'], { at });
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { settings: Record<string, unknown> }).settings['expires-in'], '30d');
    const set = await cli(['config', 'set', 'format', 'json', '--format', 'text'], { at });
    assert.equal(set.code, 0, set.stderr);
    assert.equal((JSON.parse(readFileSync(at.settingsFile, 'utf8')) as { format: string }).format, 'json');
    const get = await cli(['config', 'get', 'format'], { at, configured: 'json' });
    assert.equal(get.code, 0, get.stderr);
    const unset = await cli(['config', 'unset', 'format'], { at, configured: 'json' });
    assert.equal(unset.code, 0, unset.stderr);
    assert.equal((JSON.parse(readFileSync(at.settingsFile, 'utf8')) as { format?: string }).format, undefined);
    const refused = await cli(['config', 'set', 'endpoint', world.ids.userIamToken], { at, configured: undefined });
    assert.equal(refused.code, 2, 'a token-shaped value is refused');
    assert.ok(!readFileSync(at.settingsFile, 'utf8').includes(world.ids.userIamToken));
  });

  test('completion for bash, zsh and fish; the bash script parses', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await cli(['completion', shell]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /aistudio-key/);
      if (shell === 'bash') assert.equal(spawnSync('bash', ['-n'], { input: r.stdout }).status, 0, 'bash -n');
    }
  });
});

// One at a time: several tests count the calls that change the cloud.
describe('issue 15 through the installed package: the secret alone, added scopes and roles, age, sources, config errors', () => {
  const env = (): Record<string, string> => ({ YC_IAM_TOKEN: world.ids.userIamToken });

  test('create and rotate --format secret: the secret and one newline, nothing else on either stream', async () => {
    const r = await cli(['create', '--format', 'secret', '--name', 'secret-only'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^AQVN[A-Za-z0-9_-]{36}\n$/);
    assert.equal(r.stderr, '');
    const key = world.emu.state.apiKeys().find((k) => world.emu.state.serviceAccounts().some((a) => a.name === 'secret-only' && a.id === k.serviceAccountId));
    assert.ok(key, 'the key exists');
    const rotated = await cli(['rotate', key.id, '--format', 'secret'], { env: env() });
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /^AQVN[A-Za-z0-9_-]{36}\n$/);
    assert.notEqual(rotated.stdout, r.stdout);
    assertSecretHygiene(rotated, 1);
    const refused = await cli(['create', '--format', 'secret', '--count', '2'], { env: env() });
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(refused.stdout, '');
  });

  test('--add-scopes and --add-roles add to the preset; a scope twice is exit 2 with nothing changed', async () => {
    const r = await cli(['create', '--json', '--add-scopes', 'yc.serverless.mcpGateways.invoke', '--add-roles', 'ai.languageModels.user'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as KeyDoc & { roles: string[] };
    assert.equal(doc.api_key.scopes.length, 10);
    assert.ok(doc.api_key.scopes.includes('yc.serverless.mcpGateways.invoke'));
    assert.equal(doc.roles.length, 6);
    assert.ok(world.emu.state.folderBindings(world.ids.folderId).some((b) => b.roleId === 'ai.languageModels.user' && b.subject.id === doc.service_account.id));
    const before = world.emu.mutations().length;
    const twice = await cli(['create', '--json', '--add-scopes', 'yc.ai.languageModels.execute'], { env: env() });
    assert.equal(twice.code, 2, twice.stderr);
    assert.match(twice.stderr, /--add-scopes/);
    assert.equal(world.emu.mutations().length, before);
  });

  test('--encrypt-to: JSON carries secret_encrypted, which the identity in the test decrypts to the issued secret; no plaintext anywhere', async () => {
    const me = await ageKeyPair();
    const r = await cli(['create', '--json', '--encrypt-to', me.recipient], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { secret?: string; secret_encrypted: string };
    assert.equal(doc.secret, undefined);
    const secret = await ageOpen(doc.secret_encrypted, me.identity);
    assert.match(secret, /^AQVN/);
    assert.ok(world.emu.secrets().includes(secret), 'the cloud issued it');
    assertSecretHygiene(r, 0);
    const before = world.emu.mutations().length;
    const bad = await cli(['create', '--json', '--encrypt-to', 'age1notarecipient'], { env: env() });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--encrypt-to/);
    assert.equal(world.emu.mutations().length, before);
  });

  test('setting sources: a bad YC_ENDPOINT is named as YC_ENDPOINT; a stored profile does not stop an --iam-token run', async () => {
    const bad = await cli(['whoami', '--json'], { env: { ...env(), YC_ENDPOINT: 'not an endpoint' } });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /YC_ENDPOINT: /);
    assert.doesNotMatch(bad.stderr, /--endpoint \(from/);
    const at = livedInHome(world.emu, world.ids, { settings: { endpoint: world.emu.endpoint, folderId: world.ids.folderId, profile: 'no-such-profile' } });
    const who = await cli(['whoami', '--json', '--iam-token', world.ids.userIamToken], { at, configured: undefined });
    assert.equal(who.code, 0, who.stderr);
    assert.equal((JSON.parse(who.stdout) as { credential: { source: string } }).credential.source, 'flag:--iam-token');
  });

  test('config errors: a bad stored format names the file and does not block the config set that fixes it', async () => {
    const at = livedInHome(world.emu, world.ids, { settings: { endpoint: world.emu.endpoint, folderId: world.ids.folderId, format: 'xml' } });
    const blocked = await cli(['whoami'], { at, env: env(), configured: undefined });
    assert.equal(blocked.code, 2, blocked.stderr);
    assert.ok(blocked.stderr.includes(at.settingsFile), blocked.stderr);
    const fixed = await cli(['config', 'set', 'format', 'text'], { at, configured: undefined });
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal((JSON.parse(readFileSync(at.settingsFile, 'utf8')) as { format: string }).format, 'text');
    const works = await cli(['whoami'], { at, env: env(), configured: 'text' });
    assert.equal(works.code, 0, works.stderr);
  });

  test('--dry-run with --out-file and --to-lockbox: the plan names both; nothing written, no mutating call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aistudio-key-plan-'));
    const before = world.emu.mutations().length;
    const r = await cli(['create', '--dry-run', '--json', '--out-file', join(dir, 'k.env'), '--to-lockbox', 'plan-only'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { delivery: { to: Array<{ target: string }> } };
    assert.deepEqual(doc.delivery.to.map((t) => t.target), ['file', 'lockbox']);
    assert.equal(existsSync(join(dir, 'k.env')), false);
    assert.equal(world.emu.mutations().length, before);
    const exists = join(dir, 'exists.env');
    writeFileSync(exists, '');
    const refused = await cli(['create', '--dry-run', '--out-file', exists], { env: env() });
    assert.equal(refused.code, 2, refused.stderr);
  });
});

// Alone (no other test makes accounts meanwhile): prune deletes every keyless account aistudio-key made in the folder.
describe('prune and list --accounts through the installed package', () => {
  const env = (): Record<string, string> => ({ YC_IAM_TOKEN: world.ids.userIamToken });

  test('a key revoked without its account leaves a keyless account; list --accounts shows it; prune --dry-run, then --yes, removes it and its roles', async () => {
    const made = await cli(['create', '--json', '--name', 'left-keyless'], { env: env() });
    assert.equal(made.code, 0, made.stderr);
    const key = JSON.parse(made.stdout) as KeyDoc;
    const revoked = await cli(['revoke', '--yes', key.api_key.id, '--json'], { env: env() });
    assert.equal(revoked.code, 0, revoked.stderr);
    const accountId = key.service_account.id;

    for (const format of ['text', 'json', 'yaml']) {
      const listed = await cli(['list', '--accounts', '--format', format], { env: env() });
      assert.equal(listed.code, 0, listed.stderr);
      assert.ok(listed.stdout.includes(accountId), `${format} lists the account`);
      if (format === 'json') {
        const doc = JSON.parse(listed.stdout) as Array<{ id: string; key_count: number; roles: string[] }>;
        const row = doc.find((a) => a.id === accountId);
        assert.equal(row?.key_count, 0);
        assert.equal(row?.roles.length, 5);
      }
    }

    const before = world.emu.mutations().length;
    for (const format of ['text', 'yaml']) {
      const dry = await cli(['prune', '--dry-run', '--format', format], { env: env() });
      assert.equal(dry.code, 0, dry.stderr);
      assert.ok(dry.stdout.includes(accountId), `${format}: the plan names it`);
    }
    const unconfirmed = await cli(['prune', '--format', 'text'], { env: env() });
    assert.equal(unconfirmed.code, 4, unconfirmed.stderr);
    assert.equal(world.emu.mutations().length, before, 'dry run and refusal changed nothing');

    const pruned = await cli(['prune', '--yes', '--json'], { env: env() });
    assert.equal(pruned.code, 0, pruned.stderr);
    const doc = JSON.parse(pruned.stdout) as { service_accounts: Array<{ id: string; status: string; removed_roles: string[] }> };
    const gone = doc.service_accounts.find((a) => a.id === accountId);
    assert.equal(gone?.status, 'deleted');
    assert.equal(gone?.removed_roles.length, 5);
    assert.ok(!world.emu.state.serviceAccounts().some((a) => a.id === accountId));
    assert.ok(!world.emu.state.folderBindings(world.ids.folderId).some((b) => b.subject.id === accountId), 'its roles are gone');
    assert.ok(world.emu.state.serviceAccounts().some((a) => a.id === world.ids.foreignServiceAccountId), 'an account somebody else made stays');
  });
});

test('every command in every format, and every credential source, ran through the installed package', () => {
  const expected = [...COMMANDS.flatMap((c) => c.formats.map((f) => `${c.name} ${f}`)), ...SOURCES, 'help text'];
  const missing = expected.filter((e) => !covered.has(e));
  assert.deepEqual(missing, [], `not run: ${missing.join('; ')}`);
});
