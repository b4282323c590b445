/**
 * The AI Studio "Create API key" preset (../shared/reference/ai-studio-preset.md) and the scopes the
 * cloud is known to offer (reference §7). `create` uses the preset unless --roles/--scopes replace it.
 */

/** Roles bound to the new service account on the folder, in the console's order. */
export const PRESET_ROLES: readonly string[] = [
  'ai.editor',
  'serverless.mcpGateways.invoker',
  'serverless.mcpGateways.anonymousInvoker',
  'serverless.workflows.executor',
  'search-api.webSearch.user',
];

/**
 * Scopes on the API key. Always sent explicitly: an empty list would make the cloud grant its ten
 * default scopes, `yc.monitoring.manage` among them (reference §7, "default scopes trap").
 */
export const PRESET_SCOPES: readonly string[] = [
  'yc.ai.imageGeneration.execute',
  'yc.ai.languageModels.execute',
  'yc.ai.speechkitStt.execute',
  'yc.ai.speechkitTts.execute',
  'yc.ai.translate.execute',
  'yc.ai.vision.execute',
  'yc.search-api.execute',
  'yc.serverless.containers.invoke',
  'yc.serverless.functions.invoke',
];

/** Other scopes the cloud offers (reference §7). `--scopes` accepts these and the preset's. */
export const OTHER_KNOWN_SCOPES: readonly string[] = [
  'yc.ai.foundationModels.execute',
  'yc.serverless.mcpGateways.invoke',
  'yc.serverless.workflows.execute',
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
];

export const KNOWN_SCOPES: ReadonlySet<string> = new Set([...PRESET_SCOPES, ...OTHER_KNOWN_SCOPES]);

/** Label on every service account aistudio-key creates; `list`, `revoke` and `--adopt` rely on it. */
export const MANAGED_BY_LABEL: Readonly<Record<string, string>> = { 'managed-by': 'aistudio-key' };

/** Expiry used when none of --expires-at, --expires-in, --no-expiry is given (and config sets none). */
export const DEFAULT_EXPIRES_IN = '90d';

/** Description put on the account and the key when --description is not given. */
export const DEFAULT_DESCRIPTION = 'AI Studio API key (created by aistudio-key)';
