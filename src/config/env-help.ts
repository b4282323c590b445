/**
 * What each environment variable of ENV does, one line each, for `aistudio-key help environment`.
 * Keyed by ENV's keys, so a variable added there without a line here fails the type check.
 */
import type { ENV } from './env.js';

export const ENV_HELP: Readonly<Record<keyof typeof ENV, string>> = {
  iamToken: 'IAM token (t1.…); beats every other credential source but the flags',
  oauthToken: 'OAuth token (y0_…), legacy: exchanged for an IAM token',
  token: "Terraform's token variable: an IAM or an OAuth token, told apart by prefix",
  serviceAccountKeyFile: 'path to, or JSON content of, an authorized key of a service account',
  serviceAccountId: 'service account to act as through workload identity federation (CI)',
  folderId: 'target folder ID (as --folder-id)',
  folderName: 'target folder by name (as --folder-name)',
  cloudId: 'cloud holding the folder named by name (as --cloud-id)',
  endpoint: 'API discovery endpoint host:port (as --endpoint)',
  profile: 'yc profile to read instead of the current one (as --profile)',
  metadataAddr: 'metadata service host[:port] (default 169.254.169.254)',
  tokenExchangeUrl: 'workload identity token-exchange URL (default https://auth.yandex.cloud/oauth/token)',
  httpsProxy: 'http://[user:pass@]host:port proxy for the API and federation calls (wins over HTTPS_PROXY)',
  httpsProxyUpper: 'the same, when https_proxy is not set',
  noProxy: 'hosts that bypass the proxy: names (and their subdomains), IPs, host:port, or *',
  noProxyUpper: 'the same, when no_proxy is not set',
  grpcRoots: "PEM file of CA certificates for every TLS channel (grpc's own; as --ca-file)",
  githubOidcUrl: 'GitHub Actions: where to ask for the OIDC token (set by Actions)',
  githubOidcToken: 'GitHub Actions: the token that asks for it (set by Actions)',
  githubActions: 'GitHub Actions: marks a run in Actions (--github-output needs it)',
  githubRepositoryOwner: 'GitHub Actions: the OIDC audience defaults to https://github.com/<owner>',
  oidcAudience: 'audience to ask for the GitHub Actions OIDC token, when the federation uses another',
  githubOutput: 'GitHub Actions: the step-outputs file --github-output writes to',
  gitlabCi: 'GitLab CI: marks a run in GitLab',
  gitlabIdToken: 'GitLab CI: the id_tokens JWT used for workload identity federation',
  ci: 'any value: not interactive, no spinner, no colour',
  noColor: 'any value but empty: no colour, no spinner (FORCE_COLOR wins over it)',
  forceColor: '0/false: no colour; 1/2/3/true/empty: colour even when not a terminal',
  term: 'dumb: no spinner, no colour unless FORCE_COLOR',
  configDir: "directory of aistudio-key's own config (default: the per-OS config directory)",
  ycConfig: 'the yc config file (default ~/.config/yandex-cloud/config.yaml)',
};
