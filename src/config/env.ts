/**
 * Every environment variable aistudio-key reads, with what it means. The only place env var
 * names are spelled (STYLE.md §8); read them through deps.env.
 */
export const ENV = {
  /** IAM token (`t1.…`). Beats every other credential except flags, as in yc. */
  iamToken: 'YC_IAM_TOKEN',
  /** OAuth token (`y0_…`), legacy: exchanged for an IAM token, with a deprecation note. */
  oauthToken: 'YC_OAUTH_TOKEN',
  /** Terraform's token variable: an IAM or an OAuth token, told apart by prefix. */
  token: 'YC_TOKEN',
  /** Path to, or JSON content of, an authorized key file (as Terraform accepts). */
  serviceAccountKeyFile: 'YC_SERVICE_ACCOUNT_KEY_FILE',
  /** Service account to impersonate through workload identity federation (CI). */
  serviceAccountId: 'YC_SERVICE_ACCOUNT_ID',
  /** Target folder id. */
  folderId: 'YC_FOLDER_ID',
  /** Target folder name (resolved within the cloud). */
  folderName: 'YC_FOLDER_NAME',
  /** Cloud id used with a folder name. */
  cloudId: 'YC_CLOUD_ID',
  /** Discovery endpoint host:port (default api.cloud.yandex.net:443). */
  endpoint: 'YC_ENDPOINT',
  /** yc profile to read instead of the current one. */
  profile: 'YC_PROFILE',
  /** Metadata service host[:port] (default 169.254.169.254), as the Go SDK reads it. */
  metadataAddr: 'YC_METADATA_ADDR',
  /** Workload identity token-exchange URL (default https://auth.yandex.cloud/oauth/token). */
  tokenExchangeUrl: 'YC_TOKEN_EXCHANGE_URL',
  /**
   * Proxy for HTTPS and gRPC (an `http://[user:pass@]host:port` URL, tunnelled with CONNECT), as curl
   * and yc read it: the lower-case name wins when both are set. Used for the gRPC channels and the
   * federation HTTP calls, never for the metadata service.
   */
  httpsProxy: 'https_proxy',
  httpsProxyUpper: 'HTTPS_PROXY',
  /** Hosts that bypass the proxy: comma-separated names (a name covers its subdomains; `.name` and `*.name` too), IPs, `host:port`, or `*` for all. */
  noProxy: 'no_proxy',
  noProxyUpper: 'NO_PROXY',
  /** grpc's own root CA override, honoured by grpc-js for every TLS channel. */
  grpcRoots: 'GRPC_DEFAULT_SSL_ROOTS_FILE_PATH',
  /** GitHub Actions OIDC. */
  githubOidcUrl: 'ACTIONS_ID_TOKEN_REQUEST_URL',
  githubOidcToken: 'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  githubActions: 'GITHUB_ACTIONS',
  /** GitHub Actions: the repository owner; the OIDC audience defaults to https://github.com/<owner>, as in Yandex's tutorial. */
  githubRepositoryOwner: 'GITHUB_REPOSITORY_OWNER',
  /** Audience to request for the GitHub Actions OIDC token, when the federation uses another one. */
  oidcAudience: 'YC_OIDC_AUDIENCE',
  githubOutput: 'GITHUB_OUTPUT',
  /** GitLab: name of the CI/CD variable holding an `id_tokens` JWT (default YC_ID_TOKEN). */
  gitlabCi: 'GITLAB_CI',
  gitlabIdToken: 'YC_ID_TOKEN',
  /** Any value but empty, false or 0: non-interactive, no spinner, no colour (unless FORCE_COLOR). */
  ci: 'CI',
  /** Any value but empty: no colour, no spinner (https://no-color.org). FORCE_COLOR wins over it. */
  noColor: 'NO_COLOR',
  /** `0`/`false`: no colour (and no spinner); `1`/`2`/`3`/`true`/empty: colour even when not a terminal (as chalk and Node read it). */
  forceColor: 'FORCE_COLOR',
  /** `dumb`: a terminal that cannot move the cursor or show colour: no spinner, no colour unless FORCE_COLOR. */
  term: 'TERM',
  /** Directory for aistudio-key's own config (default: conf's per-OS location). */
  configDir: 'AISTUDIO_KEY_CONFIG_DIR',
  /** Overrides the yc config file location (default ~/.config/yandex-cloud/config.yaml). */
  ycConfig: 'YC_CONFIG_FILE',
} as const;
