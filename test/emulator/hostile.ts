/**
 * Hostile mode: the emulator answers as a compromised or buggy endpoint might, so tests can show
 * that nothing it says can act on the user's shell, terminal or CI runner (issue #13). Each
 * behaviour is its own switch (EmulatorOptions.hostile):
 *
 * - `ids`: new IDs of the named kinds are crafted: a newline followed by shell code, quotes and
 *   `$(…)`, a terminal escape, or simply too long. They are real IDs in the emulator's state (Get and
 *   Delete by them work), as a real server that minted them would behave.
 * - `secret`: a new API key's secret is not key-shaped (it carries a newline and shell code).
 * - `text`: every `description` in every answer starts with terminal escapes (window title, clear
 *   screen, hidden text), a bidi override, a newline and a `::warning::` workflow command.
 * - `errorText`: every error message carries the same, plus an `::error::` line.
 * - `errorBytes`: every error message is padded to this many bytes (a multi-MB message). On the
 *   HTTP side channel the whole size is sent; a gRPC status travels in HTTP/2 trailers, which a
 *   server cannot send beyond its header-block limit (64 KB in Node; the message travels twice, once base64), so gRPC messages stop at
 *   GRPC_MESSAGE_MAX bytes.
 *
 * The shell code in crafted values runs `touch` on `marker` (default `pwned`, relative: in the
 * working directory of whoever ran it), so a test checks that no such file appears.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Kinds of IDs the emulator mints. */
export type IdKind = 'service-account' | 'api-key' | 'operation' | 'lockbox-secret' | 'lockbox-version';

/** How a crafted ID is crafted. */
export type CraftedIdStyle = 'newline' | 'shell' | 'escape' | 'long';

export interface HostileOptions {
  ids?: Partial<Record<IdKind, CraftedIdStyle>>;
  secret?: boolean;
  text?: boolean;
  errorText?: boolean;
  errorBytes?: number;
  /** File name the crafted shell code touches (default 'pwned'). */
  marker?: string;
}

const ESC = '\u001b';
const BEL = '\u0007';

/** What every hostile text starts with: window title, clear screen, hidden text, bidi override, a workflow command. */
export function hostileText(marker = 'pwned'): string {
  return `${ESC}]0;${marker}${BEL}${ESC}[2J${ESC}[8m\u202e\n::warning::${marker}\n`;
}

const scope = new AsyncLocalStorage<HostileOptions>();
let counter = 0;

/** Runs `fn` (one RPC) with `hostile` in effect for the IDs and secrets it mints. */
export function withHostile<T>(hostile: HostileOptions | undefined, fn: () => T): T {
  return hostile === undefined ? fn() : scope.run(hostile, fn);
}

/** A crafted ID for `kind` when the RPC in progress is hostile about it, else undefined. Unique, at most 50 characters (the API's request limit). */
export function craftedId(prefix: string, kind: IdKind | undefined): string | undefined {
  const hostile = scope.getStore();
  const style = kind === undefined ? undefined : hostile?.ids?.[kind];
  if (style === undefined) return undefined;
  const marker = hostile?.marker ?? 'pwned';
  const n = String(++counter);
  switch (style) {
    case 'newline':
      return `${prefix}${n}\n$(touch ${marker})`;
    case 'shell':
      return `${prefix}${n}';touch ${marker};'$(touch ${marker})`;
    case 'escape':
      return `${prefix}${n}${ESC}]0;${marker}${BEL}`;
    case 'long':
      return `${prefix}${n}${'0'.repeat(45 - n.length)}`;
  }
}

/** A secret that is not key-shaped, when the RPC in progress is hostile about secrets. */
export function craftedSecret(real: string): string {
  const hostile = scope.getStore();
  return hostile?.secret ? `${real}\n$(touch ${hostile.marker ?? 'pwned'})` : real;
}

/** Every `description` inside `value` (plain objects and arrays) prefixed with the hostile text. Dates and bytes are kept. */
export function hostileDescriptions<T>(value: T, marker?: string): T {
  if (Array.isArray(value)) return value.map((v: unknown) => hostileDescriptions(v, marker)) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value) || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = k === 'description' && typeof v === 'string' ? `${hostileText(marker)}${v}` : hostileDescriptions(v, marker);
  }
  return out as T;
}

/** The longest gRPC status message hostile mode sends (see `errorBytes`). */
export const GRPC_MESSAGE_MAX = 20_000;

/** An error message as a hostile server words it; `max` bounds the padding. */
export function hostileErrorMessage(message: string, hostile: HostileOptions, max = Infinity): string {
  const bytes = hostile.errorBytes === undefined ? undefined : Math.min(hostile.errorBytes, max);
  let out = hostile.errorText ? `${hostileText(hostile.marker)}${message}\n::error::${hostile.marker ?? 'pwned'}` : message;
  if (bytes !== undefined && out.length < bytes) out += ` ${'eyJ-x'.repeat(Math.ceil((bytes - out.length) / 5))}`.slice(0, bytes - out.length);
  return out;
}
