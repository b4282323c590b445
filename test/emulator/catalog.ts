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

/**
 * More real roles (the service "Access management" pages of the docs, e.g. ai-studio/security,
 * functions/security, iam/roles-reference): valid in bindings and known to RoleService, granting
 * nothing emulated. With ROLE_PERMISSIONS' keys they are the role catalogue (RoleService.Get/List).
 */
const MORE_ROLES: readonly string[] = [
  'ai.datasets.auditor', 'ai.datasets.viewer', 'ai.datasets.user', 'ai.datasets.editor', 'ai.datasets.admin',
  'ai.models.auditor', 'ai.models.viewer', 'ai.models.editor', 'ai.models.admin',
  'ai.assistants.auditor', 'ai.assistants.viewer', 'ai.assistants.admin', 'ai.playground.user',
  'ai.speechkit.user', 'ai.translate.auditor', 'ai.vision.auditor', 'ai.searchIndex.user',
  'serverless.functions.admin', 'serverless.functions.editor', 'serverless.functions.viewer',
  'serverless.containers.admin', 'serverless.containers.editor', 'serverless.containers.viewer',
  'serverless.mcpGateways.admin', 'serverless.mcpGateways.editor', 'serverless.workflows.admin',
  'serverless.workflows.editor', 'serverless.workflows.viewer', 'functions.functionInvoker',
  'search-api.webSearch.editor', 'search-api.auditor', 'search-api.viewer', 'search-api.admin',
  'resource-manager.auditor', 'resource-manager.clouds.member', 'organization-manager.admin',
  'organization-manager.organizations.owner', 'organization-manager.viewer',
  'iam.auditor', 'iam.serviceAccounts.accessKeyAdmin', 'iam.serviceAccounts.keyAdmin', 'iam.serviceAccounts.authorizedKeyAdmin',
  'lockbox.auditor', 'kms.keys.encrypterDecrypter', 'kms.viewer', 'logging.writer', 'logging.viewer',
  'monitoring.admin', 'storage.uploader', 'storage.configurer', 'storage.admin',
  'container-registry.images.puller', 'container-registry.images.pusher', 'compute.viewer', 'compute.editor',
  'compute.admin', 'vpc.user', 'vpc.viewer', 'datasphere.user', 'datasphere.community-projects.editor',
];

/** Every role the emulated cloud knows: id -> description (RoleService). */
export const ROLE_CATALOGUE: ReadonlyMap<string, string> = new Map(
  [...Object.keys(ROLE_PERMISSIONS), ...MORE_ROLES].sort().map((id) => [id, `${id} (emulated role)`]),
);

export function isKnownRole(roleId: string): boolean {
  return ROLE_CATALOGUE.has(roleId);
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
