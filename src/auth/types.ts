import type { Credential } from '../cloud/types.js';
import type { HttpFetch } from './http-fetch.js';

/** Credential flags as parsed by commander (all optional). */
export interface AuthFlags {
  iamToken?: string;
  /** Path, or '-' for stdin. */
  iamTokenFile?: string;
  oauthToken?: string;
  saKeyFile?: string;
  /** A JWT, or '@path'. */
  federatedToken?: string;
  serviceAccountId?: string;
  /** yc profile name (--profile). */
  profile?: string;
  /**
   * Where `profile` came from, for messages ("--profile" by default): set it when the caller fills
   * `profile` from somewhere else, e.g. "profile in config.json".
   */
  profileSource?: string;
  /**
   * `profile` is a stored default (aistudio-key config), not asked for on this run: when it does not
   * exist and another source supplied the credential, the run goes on without its defaults (a warning
   * says so) instead of stopping. The yc profile source itself still fails on it.
   */
  profileIsDefault?: boolean;
}

/** The slice of Deps the auth chain uses; src/deps.ts satisfies it. */
export interface AuthDeps {
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  readFile(path: string): Promise<string>;
  readStdin(): Promise<string>;
  /** HTTP for GitHub OIDC and the token exchange (src/auth/http-fetch.ts): no redirects followed. Tests point every URL at loopback. */
  fetch: HttpFetch;
  /** Runs a program (for `yc iam create-token`); rejects when it is missing or fails. */
  execFile(file: string, args: string[], opts?: { timeoutMs?: number }): Promise<{ stdout: string }>;
  now(): Date;
}

/** Defaults that the yc profile (or metadata service) can also provide. */
export interface ProfileDefaults {
  folderId?: string;
  folderName?: string;
  cloudId?: string;
  endpoint?: string;
  /** 'yc-profile:<name>' or 'metadata' */
  source: string;
}

export interface ResolvedAuth {
  credential: Credential;
  /** Every source looked at, in order, for `whoami` and for the "nothing found" error. */
  tried: string[];
  /** Folder/cloud/endpoint defaults from the yc profile in use (lowest precedence). */
  defaults: ProfileDefaults | undefined;
  /** Things the user should know that did not stop the run (a stored profile that does not exist). */
  warnings?: string[];
}
