import { completionCommand } from './completion.js';
import { configCommand } from './config.js';
import { createCommand } from './create.js';
import type { AnyCommand } from './define.js';
import { ensureCommand } from './ensure.js';
import { listCommand } from './list.js';
import { pruneCommand } from './prune.js';
import { revokeCommand } from './revoke.js';
import { rotateCommand } from './rotate.js';
import { scopesCommand } from './scopes.js';
import { whoamiCommand } from './whoami.js';

/** Every command, registered by src/program.ts in this order. */
export const COMMANDS: readonly AnyCommand[] = [createCommand, whoamiCommand, listCommand, rotateCommand, revokeCommand, pruneCommand, scopesCommand, configCommand, completionCommand, ensureCommand];
