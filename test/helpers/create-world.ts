/**
 * A "world" for tests of `create` through the real CLI: an emulator with the default fixture, stopped
 * when the test file ends, and `create(argv)` running `aistudio-key create` against it in-process
 * (endpoint and CA as flags, the fixture's admin token in YC_IAM_TOKEN).
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { EXIT_CODES } from '../../src/errors.js';
import { defaultFixture, startEmulator, type DefaultIds, type Emulator, type EmulatorOptions } from '../emulator/index.js';
import { runCli, type RunCliOptions, type RunCliResult } from './run-cli.js';

export interface CreateWorld {
  emu: Emulator;
  ids: DefaultIds;
  /** Runs `aistudio-key create …` against this emulator. */
  create(argv: string[], opts?: RunCliOptions): ReturnType<typeof runCli>;
  /** Folder bindings as sorted strings, for before/after comparisons. */
  bindings(folderId?: string): string[];
}

/**
 * Call at the top level of a test file (it registers the file's `after` hook); returns the factory.
 * `folderFlag`: every `create` gets `--folder-id <the fixture's folder>`.
 */
export function createWorlds(defaults: { folderFlag?: boolean } = {}): (options?: EmulatorOptions) => Promise<CreateWorld> {
  const running: Emulator[] = [];
  after(async () => {
    await Promise.all(running.map((e) => e.stop()));
  });
  return async (options = {}) => {
    const { fixture, ids } = defaultFixture();
    const emu = await startEmulator({ fixture, ...options });
    running.push(emu);
    const folder = defaults.folderFlag ? ['--folder-id', ids.folderId] : [];
    return {
      emu,
      ids,
      create: (argv, opts = {}) =>
        runCli(['create', '--endpoint', emu.endpoint, '--ca-file', emu.caFile, ...folder, ...argv], {
          ...opts,
          env: { YC_IAM_TOKEN: ids.userIamToken, ...opts.env },
        }),
      bindings: (folderId = ids.folderId) => emu.state.folderBindings(folderId).map((b) => `${b.roleId} ${b.subject.type}:${b.subject.id}`).sort(),
    };
  };
}

/** How many times `needle` occurs in `haystack`. */
export function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** A usage error as the contract wants it: exit 2, nothing on stdout, one line on stderr matching `message` (after "Error: "). */
export function assertUsageLine(res: RunCliResult, message: RegExp, label: string): void {
  assert.equal(res.exitCode, EXIT_CODES.usage, `${label}: ${res.stderr}`);
  assert.equal(res.stdout, '', label);
  const lines = res.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, res.stderr);
  assert.match((lines[0] ?? '').replace(/^Error: /, ''), message);
}
