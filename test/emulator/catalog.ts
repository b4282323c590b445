/**
 * Static catalogues: API key scopes, roles and what each role allows. The permission names imitate
 * real ones (`iam.serviceAccounts.create`), but the table is ours and deliberately small; see
 * ROLE_PERMISSIONS for the rules.
 */

/** The nine scopes aistudio-key asks for (reference §7). */
export const AI_STUDIO_SCOPES = [
  'yc.ai.imageGeneration.execute',
  'yc.ai.languageModels.execute',
  'yc.ai.speechkitStt.execute',
  'yc.ai.speechkitTts.execute',
  'yc.ai.translate.execute',
  'yc.ai.vision.execute',
  'yc.search-api.execute',
  'yc.serverless.containers.invoke',
  'yc.serverless.functions.invoke',
] as const;

/** What a key gets when `scopes` is empty: the nine plus `yc.monitoring.manage` (reference §7). */
export const DEFAULT_SCOPES: readonly string[] = [...AI_STUDIO_SCOPES, 'yc.monitoring.manage'];

/** ApiKeyService.ListScopes: every scope the reference names. */
export const KNOWN_SCOPES: readonly string[] = [
  ...AI_STUDIO_SCOPES,
  'yc.ai.foundationModels.execute',
  'yc.monitoring.read',
  'yc.monitoring.manage',
  'yc.postbox.send',
  'yc.ydb.tables.manage',
  'yc.ydb.topics.manage',
  'yc.logging.write',
  'yc.monium.logs.write',
  'yc.monium.metrics.write',
  'yc.monium.traces.write',
  'yc.monium.telemetry.write',
  'yc.cloud-registry.artifacts.manage',
  'yc.cloud-registry.artifacts.pull',
  'yc.cloud-registry.artifacts.push',
  'yc.datasphere.community-projects.manageResource',
  'yc.managed-ytsaurus.cluster.use',
  'yc.speech-sense.use',
  'yc.serverless.mcpGateways.invoke',
  'yc.serverless.workflows.execute',
];

/** Subject types an access binding may name (reference §6.4). */
export const SUBJECT_TYPES: readonly string[] = ['userAccount', 'serviceAccount', 'federatedUser', 'system', 'group'];

/**
 * Permission patterns: an exact name, `prefix.*` (everything under a prefix), `*.verb` (that verb on
 * anything), or `*` (everything).
 */
const READ = ['*.get', '*.list', '*.listOperations', '*.listAccessBindings'];

/**
 * Role -> permissions. The rules, in words:
 * - `admin` and `resource-manager.clouds.owner` may do anything, including changing access bindings.
 * - `resource-manager.admin` may read resource-manager objects and change access bindings.
 * - `editor` may read everything and create/update/delete service accounts, API keys and Lockbox secrets,
 *   but may not change access bindings and may not read secret payloads.
 * - `viewer` reads (get/list/listOperations/listAccessBindings), never payloads.
 * - `iam.serviceAccounts.admin` manages service accounts and their API keys; `iam.serviceAccounts.apiKeyAdmin`
 *   manages API keys (and reads service accounts); `iam.serviceAccounts.user` reads service accounts.
 * - `lockbox.editor` creates secrets and versions; `lockbox.payloadViewer` reads payloads only.
 * Every other known role (ai.*, serverless.*, ...) grants nothing the emulator checks.
 */
export const ROLE_PERMISSIONS: Record<string, readonly string[]> = {
  admin: ['*'],
  'resource-manager.clouds.owner': ['*'],
  'resource-manager.admin': ['resource-manager.*'],
  'resource-manager.editor': ['resource-manager.folders.get', 'resource-manager.folders.list', 'resource-manager.folders.listAccessBindings', 'resource-manager.folders.listOperations'],
  'resource-manager.viewer': ['resource-manager.folders.get', 'resource-manager.folders.list', 'resource-manager.folders.listAccessBindings', 'resource-manager.folders.listOperations'],
  editor: [...READ, 'iam.serviceAccounts.*', 'iam.apiKeys.*', 'lockbox.secrets.get', 'lockbox.secrets.list', 'lockbox.secrets.create', 'lockbox.secrets.addVersion', 'lockbox.secrets.delete'],
  viewer: READ,
  auditor: READ,
  'iam.admin': ['iam.*'],
  'iam.editor': ['iam.*'],
  'iam.viewer': ['iam.serviceAccounts.get', 'iam.serviceAccounts.list', 'iam.serviceAccounts.listOperations', 'iam.apiKeys.get', 'iam.apiKeys.list', 'iam.apiKeys.listOperations'],
  'iam.serviceAccounts.admin': ['iam.serviceAccounts.*', 'iam.apiKeys.*'],
  'iam.serviceAccounts.user': ['iam.serviceAccounts.get', 'iam.serviceAccounts.list'],
  'iam.serviceAccounts.apiKeyAdmin': ['iam.serviceAccounts.get', 'iam.serviceAccounts.list', 'iam.apiKeys.*'],
  'iam.serviceAccounts.tokenCreator': [],
  'lockbox.admin': ['lockbox.*'],
  'lockbox.editor': ['lockbox.secrets.get', 'lockbox.secrets.list', 'lockbox.secrets.create', 'lockbox.secrets.addVersion', 'lockbox.secrets.delete'],
  'lockbox.viewer': ['lockbox.secrets.get', 'lockbox.secrets.list'],
  'lockbox.payloadViewer': ['lockbox.secrets.getPayload'],
  // Roles the tool binds and a few neighbours: valid in bindings, no emulated permissions.
  'ai.admin': [],
  'ai.editor': [],
  'ai.viewer': [],
  'ai.auditor': [],
  'ai.languageModels.user': [],
  'ai.imageGeneration.user': [],
  'ai.speechkit-stt.user': [],
  'ai.speechkit-tts.user': [],
  'ai.translate.user': [],
  'ai.vision.user': [],
  'ai.assistants.editor': [],
  'ai.models.user': [],
  'serverless.mcpGateways.invoker': [],
  'serverless.mcpGateways.anonymousInvoker': [],
  'serverless.mcpGateways.viewer': [],
  'serverless.workflows.executor': [],
  'serverless.functions.invoker': [],
  'serverless.containers.invoker': [],
  'search-api.webSearch.user': [],
  'search-api.executor': [],
  'monitoring.viewer': [],
  'monitoring.editor': [],
  'storage.viewer': [],
  'storage.editor': [],
};

export function isKnownRole(roleId: string): boolean {
  return Object.hasOwn(ROLE_PERMISSIONS, roleId);
}

function matches(pattern: string, permission: string): boolean {
  if (pattern === '*' || pattern === permission) return true;
  if (pattern.endsWith('.*')) return permission.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*.')) return permission.slice(permission.lastIndexOf('.') + 1) === pattern.slice(2);
  return false;
}

export function roleAllows(roleId: string, permission: string): boolean {
  return (ROLE_PERMISSIONS[roleId] ?? []).some((p) => matches(p, permission));
}
