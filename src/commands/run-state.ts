import { ENV } from '../config/env.js';
import type { Deps } from '../deps.js';
import type { Format } from '../output/mode.js';
import { Redactor } from '../output/redact.js';

/** What main needs to print an error the way the run would have printed it. */
export interface RunState {
  /** The output format as far as parsing got. */
  format: Format;
  debug: boolean;
  /** --no-color was given (an error is printed without colour too). */
  noColor: boolean;
  redactor: Redactor;
}

export function createRunState(deps: Deps): RunState {
  const redactor = new Redactor();
  // Tokens from the environment are masked from the start, before any code could echo one.
  for (const name of [ENV.iamToken, ENV.oauthToken, ENV.token]) redactor.add(deps.env[name]);
  return { format: 'text', debug: false, noColor: false, redactor };
}
