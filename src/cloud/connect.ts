/**
 * Entry point of the cloud layer. The CLI loads this module with a dynamic `import()` so that
 * `--help` and `--version` never load gRPC or the SDK. Nothing here runs at import time.
 *
 * `connect()` does, in order:
 * 1. Service addresses: the known map for api.cloud.yandex.net:443 (no call), otherwise
 *    ApiEndpointService.List on the given endpoint, without credentials.
 * 2. Starts TLS connections to iam, resource-manager and operation in the background.
 * 3. An IAM token: used as given, or exchanged once at the discovered iam endpoint
 *    (IamTokenService.Create with an OAuth token or a PS256 JWT we sign), without credentials.
 * 4. The gateway, with one client per service over one channel per address.
 */
import type { CreateIamTokenRequest } from '@yandex-cloud/nodejs-sdk/iam-v1/iam_token_service';
import { CloudError } from '../errors.js';
import { DEFAULT_ENDPOINTS, endpointMapFromList, isDefaultEndpoint, normalizeEndpoint, type EndpointMap } from './endpoints.js';
import { SdkGateway } from './gateway.js';
import { signServiceAccountJwt } from './jwt.js';
import { Redactor } from './redact.js';
import { apiEndpointService, clientFactory, iamTokenService } from './sdk.js';
import { Caller, ChannelPool } from './transport.js';
import type { Connection, ConnectTarget, Credential, Identity } from './types.js';

export { DEFAULT_ENDPOINT, DEFAULT_ENDPOINTS } from './endpoints.js';

const DEFAULT_RETRIES = 3;
const DEFAULT_CALL_TIMEOUT_MS = 30_000;
const DEFAULT_OPERATION_TIMEOUT_MS = 300_000;

/** One line for target.warn when an OAuth token is used (reference §3.3). */
export const OAUTH_DEPRECATION_NOTE =
  'OAuth tokens are being retired by Yandex Cloud (none issued after 2026-06-01 are accepted); switch to a service account key (--sa-key-file) or workload identity federation.';

/** What to do when the cloud rejects this credential. */
export function authHintsFor(credential: Credential): string[] {
  switch (credential.kind) {
    case 'iam-token':
      return [
        `The IAM token from ${credential.source} may have expired (they live at most 12 hours): get a fresh one with \`yc iam create-token\`, or use a service account key (--sa-key-file).`,
      ];
    case 'oauth-token':
      return [
        `The OAuth token from ${credential.source} was not accepted: get a new one at https://oauth.yandex.com (see "OAuth token" in the Yandex Cloud docs), or better, use a service account key (--sa-key-file).`,
      ];
    case 'sa-key': {
      const { id, serviceAccountId } = credential.key;
      return [
        `Check that authorized key ${id} still exists for service account ${serviceAccountId} (\`yc iam key list --service-account-id ${serviceAccountId}\`) and that this machine's clock is right.`,
      ];
    }
  }
}

function describe(credential: Credential): string {
  switch (credential.kind) {
    case 'iam-token':
      return `IAM token from ${credential.source}`;
    case 'oauth-token':
      return `OAuth token from ${credential.source}`;
    case 'sa-key':
      return `authorized key ${credential.key.id} from ${credential.source}`;
  }
}

async function discover(endpoint: string, pool: ChannelPool, caller: Caller, signal: AbortSignal | undefined): Promise<EndpointMap> {
  const client = clientFactory.create(apiEndpointService.ApiEndpointServiceService, pool.get(endpoint));
  const res = await caller.run(
    {
      method: 'ApiEndpointService/List',
      kind: 'read',
      auth: false,
      ctx: { action: `discover the services of ${endpoint}`, resource: `the endpoint service at ${endpoint}` },
      signal,
    },
    (o) => client.list(apiEndpointService.ListApiEndpointsRequest.fromPartial({}), o),
  );
  return endpointMapFromList(res.endpoints, endpoint);
}

/** IamTokenService.Create at `iamAddress`, no credentials on the call. */
async function exchange(
  credential: Exclude<Credential, { kind: 'iam-token' }>,
  iamAddress: string,
  target: ConnectTarget,
  pool: ChannelPool,
  caller: Caller,
  redactor: Redactor,
): Promise<{ token: string; expiresAt: Date | undefined }> {
  let request: CreateIamTokenRequest;
  if (credential.kind === 'oauth-token') {
    target.warn?.(OAUTH_DEPRECATION_NOTE);
    request = iamTokenService.CreateIamTokenRequest.fromPartial({ yandexPassportOauthToken: credential.token });
  } else {
    const jwt = signServiceAccountJwt(credential.key, target.now().getTime());
    redactor.add(jwt);
    request = iamTokenService.CreateIamTokenRequest.fromPartial({ jwt });
  }
  const client = clientFactory.create(iamTokenService.IamTokenServiceService, pool.get(iamAddress));
  const res = await caller.run(
    {
      method: 'IamTokenService/Create',
      kind: 'read', // minting a token twice is harmless
      auth: false,
      ctx: {
        action: `exchange the ${describe(credential)} for an IAM token at ${iamAddress}`,
        authHints: authHintsFor(credential),
        resource: credential.kind === 'sa-key' ? `service account ${credential.key.serviceAccountId} or its key ${credential.key.id}` : undefined,
      },
      signal: target.signal,
    },
    (o) => client.create(request, o),
  );
  if (!res.iamToken) throw new CloudError(`The IAM endpoint ${iamAddress} answered without a token.`);
  return { token: res.iamToken, expiresAt: res.expiresAt };
}

function identityOf(credential: Credential, expiresAt: Date | undefined): Identity {
  switch (credential.kind) {
    case 'iam-token':
      return {
        kind: credential.subject?.type ?? 'unknown',
        id: credential.subject?.id,
        tokenExpiresAt: credential.expiresAt ?? expiresAt,
      };
    case 'oauth-token':
      // OAuth tokens belong to Yandex accounts only (reference §3.3); the id is not in the answer.
      return { kind: 'userAccount', id: undefined, tokenExpiresAt: expiresAt };
    case 'sa-key':
      return { kind: 'serviceAccount', id: credential.key.serviceAccountId, tokenExpiresAt: expiresAt };
  }
}

/**
 * Builds a gateway for `target`: resolves service addresses, obtains an IAM token, and returns
 * the gateway with who the caller is. Call `gateway.close()` when done.
 * @throws AuthError (credential rejected), CloudError (endpoint unreachable or not a Yandex Cloud
 *   API, TLS failure), UsageError (unusable authorized key), InterruptedError
 */
export async function connect(target: ConnectTarget): Promise<Connection> {
  const endpoint = normalizeEndpoint(target.endpoint);
  const redactor = new Redactor();
  const credential = target.credential;
  if (credential.kind === 'sa-key') redactor.add(credential.key.privateKey);
  else redactor.add(credential.token);

  const pool = new ChannelPool(target.caPem, target.proxyFor);
  const caller = new Caller({
    retries: target.retries ?? DEFAULT_RETRIES,
    callTimeoutMs: target.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    sleep: target.sleep,
    redactor,
    debug: target.debug,
    backoff: target.backoff,
    rateLimitBackoff: target.backoff,
    abandon: target.abandonSignal,
  });
  try {
    let services: EndpointMap;
    if (isDefaultEndpoint(endpoint)) {
      services = DEFAULT_ENDPOINTS;
      caller.debug(`endpoints: ${endpoint} is the default installation; using its known service map (no discovery call)`);
    } else {
      services = await discover(endpoint, pool, caller, target.signal);
      caller.debug(`endpoints: iam=${services.iam} resource-manager=${services['resource-manager']} operation=${services.operation}`);
    }
    // Overlap the TLS handshakes with the token exchange and the caller's next steps.
    for (const address of new Set([services.iam, services['resource-manager'], services.operation])) pool.warm(address);

    let token: string;
    let expiresAt: Date | undefined;
    if (credential.kind === 'iam-token') {
      token = credential.token;
      expiresAt = credential.expiresAt;
    } else {
      ({ token, expiresAt } = await exchange(credential, services.iam, target, pool, caller, redactor));
    }
    caller.setToken(token);

    const gateway = new SdkGateway({
      endpoint,
      services,
      pool,
      caller,
      sleep: target.sleep,
      now: target.now,
      operationTimeoutMs: target.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
      authHints: authHintsFor(credential),
      poll: target.poll,
    });
    return { gateway, identity: identityOf(credential, expiresAt), services: { ...services } };
  } catch (err) {
    pool.close();
    throw err;
  }
}
