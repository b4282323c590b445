/**
 * `npm run emulator [-- --port 50051 --latency 50 --operation-delay 300]`: runs the emulator with the
 * default fixture until SIGINT/SIGTERM and prints where it listens and ready-to-use test credentials.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ENV } from '../../src/config/env.js';

const USAGE = `Usage: npm run emulator -- [options]

  --port <n>               gRPC port (default: any free port)
  --http-port <n>          HTTP side-channel port (default: any free port)
  --host <host>            bind and advertise this host (default 127.0.0.1; "localhost" avoids
                           Node's warning about TLS server names that are IP addresses)
  --latency <ms>           latency added to every gRPC call (default 0)
  --operation-delay <ms>   time until an operation is done (default 0: done on the first Get)
  --fidelity <json>        fidelity switches (README "Fidelity switches"), e.g.
                           '{"newAccountLag":{"calls":2},"bindingsResponse":"empty"}'
  --json                   print one JSON document instead of text
  -h, --help               show this help
`;

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer, got "${value}"`);
  return n;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' }, 'http-port': { type: 'string' }, host: { type: 'string' },
        latency: { type: 'string' }, 'operation-delay': { type: 'string' }, fidelity: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  let port: number | undefined, httpPort: number | undefined, latencyMs: number | undefined, operationDelayMs: number | undefined;
  let fidelity: Record<string, unknown> | undefined;
  try {
    if (values.fidelity !== undefined) {
      const parsed: unknown = JSON.parse(values.fidelity);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('--fidelity needs a JSON object');
      fidelity = parsed as Record<string, unknown>;
    }
    port = intOption('port', values.port);
    httpPort = intOption('http-port', values['http-port']);
    latencyMs = intOption('latency', values.latency);
    operationDelayMs = intOption('operation-delay', values['operation-delay']);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }

  // Loaded only now, so --help and flag errors answer at once.
  const { defaultFixture, startEmulator } = await import('./index.js');
  const started = performance.now();
  const { fixture, ids } = defaultFixture();
  const emu = await startEmulator({
    fixture, port, httpPort, latencyMs, operationDelayMs, ...(values.host === undefined ? {} : { host: values.host }),
    ...(fidelity === undefined ? {} : { fidelity }),
  });
  const startMs = Math.round(performance.now() - started);
  const keyFile = join(emu.workDir, 'authorized_key.json');
  await writeFile(keyFile, JSON.stringify(ids.authorizedKey, null, 2) + '\n', { mode: 0o600 });
  const metadataAddr = emu.httpUrl.replace(/^http:\/\//, '');
  const env: Record<string, string> = {
    [ENV.endpoint]: emu.endpoint,
    [ENV.grpcRoots]: emu.caFile,
    [ENV.iamToken]: ids.userIamToken,
    [ENV.cloudId]: ids.cloudId,
    [ENV.folderId]: ids.folderId,
    [ENV.metadataAddr]: metadataAddr,
    [ENV.tokenExchangeUrl]: `${emu.httpUrl}/oauth/token`,
  };

  if (values.json === true) {
    console.log(JSON.stringify({
      endpoint: emu.endpoint, caFile: emu.caFile, httpUrl: emu.httpUrl, startMs,
      cloudId: ids.cloudId, folderId: ids.folderId, folderName: ids.folderName, otherFolderId: ids.otherFolderId,
      iamToken: ids.userIamToken, viewerIamToken: ids.viewerIamToken, oauthToken: ids.userOauthToken,
      serviceAccountId: ids.serviceAccountId, serviceAccountKeyFile: keyFile, federatedSubjectToken: ids.federatedSubjectToken,
      env,
    }));
  } else {
    console.log([
      `Yandex Cloud emulator up in ${startMs} ms (default fixture; everything below is fake and dies with the process).`,
      '',
      `  gRPC endpoint (TLS)     ${emu.endpoint}   (every service; ApiEndpointService lists this address)`,
      `  CA file                 ${emu.caFile}`,
      `  HTTP side channel       ${emu.httpUrl}   (metadata service, POST /oauth/token)`,
      `  cloud id                ${ids.cloudId}   ("${ids.cloudName}")`,
      `  folder id               ${ids.folderId}   ("${ids.folderName}"; other folder ${ids.otherFolderId} "${ids.otherFolderName}")`,
      `  IAM token, admin        ${ids.userIamToken}`,
      `  IAM token, viewer only  ${ids.viewerIamToken}`,
      `  OAuth token, admin      ${ids.userOauthToken}`,
      `  SA authorized key file  ${keyFile}   (${ids.serviceAccountName}, ${ids.serviceAccountId}, admin on the folder)`,
      `  WLIF subject token      ${ids.federatedSubjectToken}   (audience ${ids.serviceAccountId})`,
      '',
      'For aistudio-key in another shell:',
      ...Object.entries(env).map(([k, v]) => `  export ${k}='${v}'`),
      '',
      'Ctrl-C stops it.',
    ].join('\n'));
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      console.error(`\n${signal}: stopping the emulator`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await emu.stop();
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : String(e));
    process.exitCode = 1;
  },
);
