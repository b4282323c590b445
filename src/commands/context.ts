import type { AuthFlags, ResolvedAuth } from '../auth/types.js';
import type { Connection } from '../cloud/types.js';
import type { Settings } from '../config/settings.js';
import type { Sourced } from '../core/target.js';
import type { Deps } from '../deps.js';
import type { OutputMode } from '../output/mode.js';
import type { Redactor } from '../output/redact.js';
import type { CommandSpecData } from './spec.js';
import type { Progress } from '../output/spinner.js';

/** Root options shared by every command, validated. */
export interface GlobalOptions {
  auth: AuthFlags;
  /** From --endpoint or YC_ENDPOINT; config, the yc profile and the default come later. */
  endpoint: Sourced | undefined;
  caFile: string | undefined;
  debug: boolean;
  /** --no-color: no colour, no spinner; beats FORCE_COLOR. */
  noColor: boolean;
  /** --quiet: no progress, notes or hints on stderr (warnings and errors still show). */
  quiet: boolean;
  /** Whole-run deadline (--timeout). */
  timeoutMs: number | undefined;
  /** Retries of transient failures per call (--retries). */
  retries: number | undefined;
}

/** What a command's `run` gets (STYLE.md §3): Deps plus the run's output, signal and lazy cloud. */
export interface CommandContext {
  deps: Deps;
  global: GlobalOptions;
  mode: OutputMode;
  /** Aborted on Ctrl-C/SIGTERM or --timeout: start no new work. Its reason is the AppError to report. */
  signal: AbortSignal;
  /**
   * Aborted a grace period (10 s) after `signal`: stop waiting for operations already sent. The only
   * signal mutating calls get (see CreateKeyOptions.waitSignal).
   */
  waitSignal: AbortSignal;
  redactor: Redactor;
  /** The commands the program registers, as their specs (what `completion` describes). */
  commands: readonly CommandSpecData[];
  out: {
    /** A line for the person on stderr. */
    note(text: string): void;
    warn(text: string): void;
    /** Only under --debug; already passes through the redactor. */
    debug(text: string): void;
    progress: Progress;
  };
  /** aistudio-key's own settings (read once). */
  settings(): Promise<Settings & { path: string }>;
  /** The credential chain's answer (resolved once). */
  auth(): Promise<ResolvedAuth>;
  /** The discovery endpoint in use: flag > env > config > yc profile > default. */
  endpoint(): Promise<Sourced>;
  /** A connected gateway (created once, closed by the runner). */
  cloud(): Promise<Connection>;
  /** Records something this run created, so a forced exit can say what may be left. */
  track(id: string, description: string): void;
  untrack(id: string): void;
  /**
   * Renders `result` in the run's format and writes it to stdout now, resolving once stdout took all
   * of it; the runner then prints nothing more. For results holding a secret: the use-case calls it
   * as its last step and undoes its work when it throws (a DeliveryError: stdout closed, disk full).
   */
  deliver(result: unknown): Promise<void>;
  /**
   * As deliver, for a result whose last field (`openField`, a top-level key of the JSON/YAML document)
   * only becomes true after the hand-over (rotate's `revoked`: the old key is deleted only once the
   * new secret is out). In json and yaml, everything before that field is written now; the returned
   * function writes the rest from the final result, which must render to the same beginning. Other
   * formats are written whole now (they make no such claim), and the function writes nothing.
   */
  deliverOpen(result: unknown, openField: string): Promise<(final: unknown) => Promise<void>>;
}
