/**
 * `--github-output`: hands the key to later steps of a GitHub Actions job as step outputs
 * `api-key-id` and `api-key`. First `::add-mask::<secret>` goes to stderr — before any other line
 * the secret could appear in — so the runner blanks it in every log line from then on; then both
 * outputs are appended to `$GITHUB_OUTPUT` in the multi-line (heredoc) form with a random
 * delimiter, which no value can break out of.
 *
 * Why stderr: the runner reads workflow commands on stdout and stderr alike (actions/runner,
 * ScriptHandler.cs hands both streams to its command processor), but stdout is the result: a job
 * running `create --github-output --json > result.json` (or `> /dev/null`) would hide the mask
 * from the runner and put a non-JSON line into the file.
 *
 * Outside GitHub Actions this is a usage error at preflight: writing `::add-mask::` where nobody
 * interprets it would print the secret.
 */
import { dirname } from 'node:path';
import { ENV } from '../../config/env.js';
import { UsageError } from '../../errors.js';
import { DeliveryError, describeWriteFailure } from '../delivery.js';
import { nodeFileOps, type FileOps } from './file-ops.js';
import { GITHUB_OUTPUT_NAME, type DeliverableKey, type Delivered } from './types.js';

export interface GithubOutputPlan {
  /** The file $GITHUB_OUTPUT names. */
  outputFile: string;
}

export interface GithubOutputDeps {
  fs?: FileOps;
  /** Uniform integer in [0, max): the heredoc delimiter. */
  randomInt: (max: number) => number;
  /**
   * Writes a workflow command to stderr, unredacted (the mask names the secret the redactor blanks),
   * and resolves once it was accepted (rejects on EPIPE and the like).
   */
  writeCommand: (text: string) => Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Checks that this is a GitHub Actions job (`GITHUB_ACTIONS=true`) with `GITHUB_OUTPUT` set to a
 * file that can be appended to: an existing file is opened for appending (nothing written); a
 * missing one must be creatable in an existing directory (a probe file is made and removed), as
 * `--out-file` checks its directory. All before anything changes in the cloud.
 * @throws UsageError naming `--github-output`.
 */
export async function preflightGithubOutput(env: Env, deps: { fs?: FileOps } = {}): Promise<GithubOutputPlan> {
  const fs = deps.fs ?? nodeFileOps;
  if (env[ENV.githubActions] !== 'true') {
    throw new UsageError(`--github-output: this is not a GitHub Actions job (${ENV.githubActions} is not "true")`, {
      hints: ['Elsewhere, write the key to a file with --out-file <path> (GitLab: --format dotenv --out-file build.env, as a dotenv report), or to Lockbox with --to-lockbox <secret>.'],
    });
  }
  const outputFile = env[ENV.githubOutput];
  if (!outputFile) {
    throw new UsageError(`--github-output: ${ENV.githubOutput} is not set, so step outputs cannot be written`, {
      hints: ['GitHub sets it for every `run` step; a container or a `sudo` may have dropped it.'],
    });
  }
  let found;
  try {
    found = await fs.stat(outputFile);
  } catch (error) {
    throw new UsageError(`--github-output: cannot check ${ENV.githubOutput} "${outputFile}" (${describeWriteFailure(error)})`);
  }
  if (found?.isDirectory) throw new UsageError(`--github-output: ${ENV.githubOutput} "${outputFile}" is a directory`);
  if (!found) {
    const dir = dirname(outputFile);
    let dirInfo;
    try {
      dirInfo = await fs.stat(dir);
    } catch (error) {
      throw new UsageError(`--github-output: cannot check the directory of ${ENV.githubOutput} "${outputFile}" (${describeWriteFailure(error)})`);
    }
    if (!dirInfo?.isDirectory) throw new UsageError(`--github-output: the directory of ${ENV.githubOutput} "${outputFile}" does not exist`);
  }
  // An existing file is opened for appending; a missing one is created exclusively as a probe and
  // removed again, so a run that fails later leaves nothing behind.
  let probed = false;
  try {
    const file = await fs.open(outputFile, found ? 'a' : 'wx', 0o600);
    probed = !found;
    await file.close();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') {
      throw new UsageError(`--github-output: cannot append to ${ENV.githubOutput} "${outputFile}" (${describeWriteFailure(error)})`);
    }
  }
  if (probed) await fs.unlink(outputFile).catch(() => undefined);
  return { outputFile };
}

/**
 * Workflow-command data escaped as GitHub's toolkit escapes it (@actions/core, command.ts
 * `escapeData`): `%`, CR and LF, so a value can neither end the command line nor be read back changed.
 */
export function escapeCommandData(value: string): string {
  return value.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** `::add-mask::<value>` as one line. */
export function maskCommand(value: string): string {
  return `::add-mask::${escapeCommandData(value)}\n`;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `ghadelimiter_<20 random>`, as GitHub's own toolkit names them; never a substring of a value. */
export function heredocDelimiter(values: readonly string[], randomInt: (max: number) => number): string {
  for (;;) {
    let d = 'ghadelimiter_';
    for (let i = 0; i < 20; i++) d += ALPHABET[randomInt(ALPHABET.length)] ?? 'x';
    if (!values.some((v) => v.includes(d))) return d;
  }
}

/** `name<<DELIM\nvalue\nDELIM\n` for each output. */
export function formatGithubOutputs(outputs: ReadonlyArray<readonly [string, string]>, randomInt: (max: number) => number): string {
  const delimiter = heredocDelimiter(outputs.map(([, v]) => v), randomInt);
  return outputs.map(([name, value]) => `${name}<<${delimiter}\n${value}\n${delimiter}\n`).join('');
}

/**
 * Masks the secret (stderr), then appends the outputs to the file. The undo cuts the file back to
 * its length before the append.
 * @throws DeliveryError when the mask cannot be printed (nothing is written then) or the file cannot be appended to.
 */
export async function deliverGithubOutput(plan: GithubOutputPlan, key: DeliverableKey, deps: GithubOutputDeps): Promise<Delivered> {
  const fs = deps.fs ?? nodeFileOps;
  try {
    await deps.writeCommand(maskCommand(key.secret));
  } catch (error) {
    throw new DeliveryError(`Could not print the ::add-mask:: command on stderr: ${describeWriteFailure(error)}; the key was not written to ${ENV.githubOutput}.`, { cause: error });
  }
  const outputs: Array<readonly [string, string]> = [
    [GITHUB_OUTPUT_NAME.apiKeyId, key.apiKeyId],
    [GITHUB_OUTPUT_NAME.apiKey, key.secret],
  ];
  const text = formatGithubOutputs(outputs, deps.randomInt);
  let sizeBefore = 0;
  try {
    sizeBefore = (await fs.stat(plan.outputFile))?.size ?? 0;
    const file = await fs.open(plan.outputFile, 'a', 0o600);
    try {
      await file.write(text);
      await file.sync();
    } finally {
      await file.close();
    }
  } catch (error) {
    // A partial append would leave a heredoc without its end: cut it off.
    await fs.truncate(plan.outputFile, sizeBefore).catch(() => undefined);
    throw new DeliveryError(`Could not append the outputs to ${ENV.githubOutput} "${plan.outputFile}": ${describeWriteFailure(error)}.`, { cause: error });
  }
  return {
    receipt: { target: 'github-output', outputs: outputs.map(([name]) => name), outputFile: plan.outputFile },
    undo: async () => {
      try {
        await fs.truncate(plan.outputFile, sizeBefore);
        return undefined;
      } catch (error) {
        return `Could not take the outputs back out of ${ENV.githubOutput} (${describeWriteFailure(error)}); the key they name is revoked.`;
      }
    },
  };
}
