/**
 * The rules a flag declares about itself (FlagSpec.choices, FlagSpec.conflicts), applied once for
 * every command: the runner's check before the input schema, the "not with" note in help, and (via
 * the commander option's argChoices) the choices help and completion show.
 */
import { credentialShape } from '../core/credential-shape.js';
import { UsageError } from '../errors.js';
import type { FlagSpec } from './define.js';

/** '--folder-id <id>' -> '--folder-id'. */
export function longFlag(spec: FlagSpec): string {
  return spec.flags.split(/[ ,]+/).find((p) => p.startsWith('--')) ?? spec.flags;
}

export interface FlagConflict {
  /** The flag that declares the conflict (its key), then the other. */
  flag: string;
  other: string;
  why: string | undefined;
}

/** Every conflict declared among `flags`, in declaration order; one naming a flag the command lacks is skipped. */
export function conflictsOf(flags: Readonly<Record<string, FlagSpec>>): FlagConflict[] {
  return Object.entries(flags).flatMap(([flag, spec]) =>
    Object.entries(spec.conflicts ?? {})
      .filter(([other]) => flags[other] !== undefined)
      .map(([other, why]) => ({ flag, other, why: why === true ? undefined : why })),
  );
}

/** The help note of a flag: the flags it cannot be given with, declared on either side. */
export function conflictNote(key: string, flags: Readonly<Record<string, FlagSpec>>): string {
  const others = conflictsOf(flags).flatMap((c) => (c.flag === key ? [c.other] : c.other === key ? [c.flag] : []));
  const names = others.map((o) => longFlag(flags[o] ?? { flags: o, description: '' }));
  return names.length ? ` (not with ${names.join(', ')})` : '';
}

/** The one line a declared conflict is refused with: both flags as given, why, what to do. */
export function conflictMessage(c: FlagConflict, name: (key: string) => string): string {
  return `${name(c.flag)} and ${name(c.other)}: ${c.why ? `${c.why}; ` : ''}pass only one of them`;
}

/**
 * A value against a choice list (a flag's, a positional argument's).
 * @throws UsageError (exit 2) naming the flag or argument and the choices.
 */
export function checkChoice(name: string, choices: readonly string[], value: unknown): void {
  for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
    // Never echo what may be a token typed in the wrong place.
    if (typeof v === 'string' && !choices.includes(v)) throw new UsageError(`${name}: expected one of ${choices.join(', ')}${credentialShape(v) ? '' : `, got "${v}"`}`);
  }
}

/**
 * The declared rules over the values present (from flags, or their env variables).
 * @throws UsageError (exit 2) naming the flag (or both, for a conflict) and what would be right.
 */
export function checkFlagRules(flags: Readonly<Record<string, FlagSpec>>, values: Readonly<Record<string, unknown>>, sources: Readonly<Record<string, string>>): void {
  const name = (key: string): string => sources[key] ?? longFlag(flags[key] ?? { flags: key, description: '' });
  for (const [key, spec] of Object.entries(flags)) {
    if (spec.choices) checkChoice(name(key), spec.choices, values[key]);
  }
  const given = conflictsOf(flags).find((c) => values[c.flag] !== undefined && values[c.other] !== undefined);
  if (given) throw new UsageError(conflictMessage(given, name));
}
