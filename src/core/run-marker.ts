/**
 * How a run marks what it makes, so that after a lost answer it can tell its own account or key
 * from anyone else's: a label on each account, a marker at the end of each key's description.
 */
import { MANAGED_BY_LABEL } from './preset.js';

/**
 * Label on every account a run creates: `aistudio-key-run: <runId>` (the run id fits the label-value
 * pattern). After a lost answer to ServiceAccountService.Create, a service that ignores the
 * idempotency-key answers the repeated call ALREADY_EXISTS: this label tells the account this very
 * run made from someone else's.
 */
export const RUN_LABEL = 'aistudio-key-run';

/** The labels of an account `create`/`ensure` makes: managed-by, and the run's label when it has a run id. */
export function accountLabels(runId: string | undefined): Record<string, string> {
  return runId === undefined ? { ...MANAGED_BY_LABEL } : { ...MANAGED_BY_LABEL, [RUN_LABEL]: runId };
}

/** `[aistudio-key run <runId>]`: ends the description of every key a run creates. */
export function runMarker(runId: string): string {
  return `[aistudio-key run ${runId}]`;
}

/** Whether a key's description carries this run's marker. */
export function hasRunMarker(description: string, runId: string): boolean {
  return description.endsWith(runMarker(runId));
}
