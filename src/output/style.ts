import { Chalk, type ChalkInstance } from 'chalk';

/** A chalk instance that colours only when `enabled`; never sniffs the environment itself. */
export function createStyle(enabled: boolean): ChalkInstance {
  return new Chalk({ level: enabled ? 1 : 0 });
}

export type Style = ChalkInstance;
