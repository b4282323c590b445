/**
 * The `scopes` use-case: the preset's scopes and roles with what each one unlocks
 * (../shared/reference/ai-studio-preset.md), and every scope the cloud offers, marked by whether
 * the preset carries it and whether `create --scopes` accepts it.
 */
import type { CallOptions, CloudGateway } from '../cloud/types.js';
import { KNOWN_SCOPES, PRESET_ROLES, PRESET_SCOPES } from './preset.js';

/** What each preset scope lets the key be used for (the AI Studio documentation's wording). */
export const SCOPE_UNLOCKS: Readonly<Record<string, string>> = {
  'yc.ai.imageGeneration.execute': 'image generation',
  'yc.ai.languageModels.execute': 'text generation with Model Gallery models',
  'yc.ai.speechkitStt.execute': 'speech recognition',
  'yc.ai.speechkitTts.execute': 'speech synthesis',
  'yc.ai.translate.execute': 'text translation',
  'yc.ai.vision.execute': 'image analysis (Vision OCR)',
  'yc.search-api.execute': 'Yandex Search API',
  'yc.serverless.containers.invoke': 'invoking Serverless Containers',
  'yc.serverless.functions.invoke': 'invoking Cloud Functions',
  // Not in the preset, but named by its roles (see ROLE_WITHOUT_SCOPE).
  'yc.serverless.mcpGateways.invoke': 'calling MCP gateways',
  'yc.serverless.workflows.execute': 'running Yandex Workflows workflows',
};

/** What each preset role grants the service account on the folder. */
export const ROLE_GRANTS: Readonly<Record<string, string>> = {
  'ai.editor': 'use of Yandex Translate, Vision OCR, SpeechKit and the AI Studio models',
  'serverless.mcpGateways.invoker': 'calling MCP servers, including through MCP Hub',
  'serverless.mcpGateways.anonymousInvoker': 'calling external MCP servers',
  'serverless.workflows.executor': 'running Yandex Workflows workflows',
  'search-api.webSearch.user': 'Yandex Search API (API v2)',
};

/**
 * Roles of the preset whose matching key scope the preset leaves out: the account may call MCP
 * gateways and workflows with an IAM token, but the preset's API key may not.
 */
export const ROLE_WITHOUT_SCOPE: ReadonlyArray<{ role: string; scope: string }> = [
  { role: 'serverless.mcpGateways.invoker', scope: 'yc.serverless.mcpGateways.invoke' },
  { role: 'serverless.mcpGateways.anonymousInvoker', scope: 'yc.serverless.mcpGateways.invoke' },
  { role: 'serverless.workflows.executor', scope: 'yc.serverless.workflows.execute' },
];

export interface ScopeInfo {
  scope: string;
  inPreset: boolean;
  /** What it unlocks, when known. */
  unlocks: string | undefined;
  /** `create --scopes` accepts it (aistudio-key knows it). */
  accepted: boolean;
}

export interface RoleInfo {
  role: string;
  grants: string | undefined;
}

export interface ScopesReport {
  preset: { scopes: ScopeInfo[]; roles: RoleInfo[] };
  /** Every scope on offer: from the cloud (ApiKeyService.ListScopes), or aistudio-key's own list offline. */
  available: ScopeInfo[];
  source: 'cloud' | 'built-in';
  /** Preset scopes the cloud did not list (expected: none). */
  presetNotOffered: string[];
  /** Preset roles whose scope the preset's key does not carry. */
  roleWithoutScope: Array<{ role: string; scope: string }>;
}

function info(scope: string): ScopeInfo {
  return { scope, inPreset: PRESET_SCOPES.includes(scope), unlocks: SCOPE_UNLOCKS[scope], accepted: KNOWN_SCOPES.has(scope) };
}

/**
 * Builds the report from the cloud's scope list, or from aistudio-key's built-in list when
 * `cloudScopes` is undefined (offline). Pure.
 */
export function describeScopes(cloudScopes: readonly string[] | undefined): ScopesReport {
  const offered = cloudScopes ?? [...KNOWN_SCOPES];
  const available = [...new Set(offered)].sort((a, b) => Number(PRESET_SCOPES.includes(b)) - Number(PRESET_SCOPES.includes(a)) || a.localeCompare(b)).map(info);
  return {
    preset: { scopes: PRESET_SCOPES.map(info), roles: PRESET_ROLES.map((role) => ({ role, grants: ROLE_GRANTS[role] })) },
    available,
    source: cloudScopes ? 'cloud' : 'built-in',
    presetNotOffered: cloudScopes ? PRESET_SCOPES.filter((s) => !cloudScopes.includes(s)) : [],
    roleWithoutScope: ROLE_WITHOUT_SCOPE.filter((r) => PRESET_ROLES.includes(r.role) && !PRESET_SCOPES.includes(r.scope)).map((r) => ({ ...r })),
  };
}

/**
 * Asks the cloud for every scope (all pages), then describes them.
 * @throws AuthError, CloudError from the gateway.
 */
export async function listScopes(gateway: CloudGateway, opts: CallOptions = {}): Promise<ScopesReport> {
  return describeScopes(await gateway.listScopes(opts));
}
