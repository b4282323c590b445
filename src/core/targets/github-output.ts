/**
 * `--github-output`: hands the key to later steps of a GitHub Actions job as step outputs
 * `api-key-id` and `api-key`. First `::add-mask::<secret>` goes to stdout — before any other line
 * the secret could appear in — so the runner blanks it in every log line from then on; then both
 * outputs are appended to `$GITHUB_OUTPUT` in the multi-line (heredoc) form with a random
 * delimiter, which no value can break out of.
 *
 * Outside GitHub Actions this is a usage error at preflight: writing `::add-mask::` where nobody
 * interprets it would print the secret.
 */
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
  /** Writes to stdout and resolves once it was accepted (rejects on EPIPE and the like). */
  writeStdout: (text: string) => Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Checks that this is a GitHub Actions job (`GITHUB_ACTIONS=true`) with `GITHUB_OUTPUT` set to a
 * writable file. Reads env and the file system only.
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
  return { outputFile };
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
 * Masks the secret (stdout), then appends the outputs to the file. The undo cuts the file back to
 * its length before the append.
 * @throws DeliveryError when the mask cannot be printed (nothing is written then) or the file cannot be appended to.
 */
export async function deliverGithubOutput(plan: GithubOutputPlan, key: DeliverableKey, deps: GithubOutputDeps): Promise<Delivered> {
  const fs = deps.fs ?? nodeFileOps;
  try {
    await deps.writeStdout(`::add-mask::${key.secret}\n`);
  } catch (error) {
    throw new DeliveryError(`Could not print the ::add-mask:: command on stdout: ${describeWriteFailure(error)}; the key was not written to ${ENV.githubOutput}.`, { cause: error });
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
