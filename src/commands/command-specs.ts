/**
 * The specs src/program.ts registers, one per command, in the order of COMMANDS. Here they are
 * derived from the definitions; the build (scripts/build.mjs) replaces this module with the same
 * specs as data, each loading its definition by a dynamic import, so that help loads no command
 * module and a command loads its core and output imports only when it runs.
 */
import { COMMANDS } from './index.js';
import { specData, type CommandSpec } from './spec.js';

export const COMMAND_SPECS: readonly CommandSpec[] = COMMANDS.map((def) => ({ ...specData(def), load: async () => def }));
