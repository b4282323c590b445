/**
 * The one way src/ loads zod: `zod/mini`, the same v4 core as classic `zod` with a
 * functional API (`z.optional(x)`, `x.check(z.superRefine(…))`, `z.pipe(x, z.transform(…))`).
 *
 * `z` is a plain object of the functions our schemas use, not mini's namespace: the namespace is
 * handed to every command's `input` as a value, and a namespace that escapes keeps all of zod in a
 * bundle (every locale included: as heavy to load as classic) where these named imports keep
 * ~45 KB. Add a member here when a schema needs another mini function.
 *
 * Mini installs no locale, so its built-in messages would all read "Invalid input"; the English
 * locale classic installs is set here, and those messages ("Invalid input: expected string, received
 * boolean", "Invalid option: expected one of …", which a bad config file shows) stay the same.
 * Load this lazily: `--help` and `--version` must not (test/unit/startup-graph.test.ts).
 */
import { array, boolean, config, enum as enum_, minLength, NEVER, object, optional, pipe, string, superRefine, transform } from 'zod/mini';
import type * as mini from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export const z = { array, boolean, enum: enum_, minLength, NEVER, object, optional, pipe, string, superRefine, transform };

/** A mini schema parsing to `O`: what a command's `input` returns. */
export type ZodSchema<O = unknown, I = unknown> = mini.ZodMiniType<O, I>;
/** What a failed `safeParse` holds; issues have the v4 core shape (`path`, `message`). */
export type ZodError = mini.core.$ZodError;
/** The payload `z.transform` hands its function (mini has no `ctx.addIssue` there; see commands/define.ts). */
export type ParsePayload<T = unknown> = mini.core.ParsePayload<T>;
/** The output type of a schema. */
export type Infer<T extends mini.ZodMiniType> = mini.infer<T>;
