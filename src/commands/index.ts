import { createCommand } from './create.js';
import type { AnyCommand } from './define.js';

/** Every command, registered by src/program.ts in this order. */
export const COMMANDS: readonly AnyCommand[] = [createCommand];
