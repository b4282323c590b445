/**
 * main(argv, deps) -> exit code. The one place errors become exit codes (STYLE.md §5): everything
 * below throws, this prints the error (one document on stderr in json/yaml) and returns its code.
 */
import type { Deps } from './deps.js';
import { EXIT_CODES, UsageError, type AppError } from './errors.js';
import type { RunState } from './commands/run-state.js';
import type { ProgramOptions } from './program.js';

/** Commander's way of saying "help or version was printed". */
const DONE_CODES = new Set(['commander.helpDisplayed', 'commander.version']);

/** `options`: the tests' seam (see ProgramOptions); the bin passes none. */
export async function main(argv: readonly string[], deps: Deps, options: ProgramOptions = {}): Promise<number> {
  const args = argv.slice(2);
  // Fast path: `--version` loads nothing beyond this file (the README's start-up target).
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    deps.stdout.write(`${deps.version}\n`);
    return EXIT_CODES.ok;
  }
  const { createProgram } = await import('./program.js');
  const program = createProgram(deps, options);
  // `help <topic>` (commander knows only commands): the topic's page, as the bin's fast path prints
  // it, at the width commander would use.
  if (args.includes('help')) {
    const { helpTopicAsked } = await import('./help-topics.js');
    const topic = helpTopicAsked(args);
    if (topic !== undefined) {
      const { renderHelpPage } = await import('./help.js');
      deps.stdout.write(renderHelpPage(`help ${topic}`, program.command.configureOutput().getOutHelpWidth?.() ?? 80));
      return EXIT_CODES.ok;
    }
  }
  try {
    await program.command.parseAsync(args, { from: 'user' });
    return EXIT_CODES.ok;
  } catch (error) {
    const commanderCode = commanderErrorCode(error);
    if (commanderCode !== undefined && DONE_CODES.has(commanderCode)) return EXIT_CODES.ok;
    // `help [command]` printed the help on stdout (commander's exit code 0); with no command given,
    // commander printed it on stderr (exit code 1), which is a usage error.
    if (commanderCode === 'commander.help') return (error as { exitCode?: unknown }).exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    const appError = commanderCode !== undefined ? usageFromCommander(error as Error) : await toApp(error);
    await report(appError, program.state, deps);
    return appError.exitCode;
  }
}

function commanderErrorCode(error: unknown): string | undefined {
  if (error instanceof Error && error.name === 'CommanderError' && typeof (error as { code?: unknown }).code === 'string') {
    return (error as unknown as { code: string }).code;
  }
  return undefined;
}

/** "error: unknown option '--bogus'" -> "unknown option '--bogus' (see --help)". One line. */
function usageFromCommander(error: Error): UsageError {
  const text = error.message.replace(/^error:\s*/, '').split('\n').join(' ').trim();
  return new UsageError(`${text} (see --help)`);
}

async function toApp(error: unknown): Promise<AppError> {
  const { toAppError } = await import('./output/errors.js');
  return toAppError(error);
}

async function report(error: AppError, state: RunState, deps: Deps): Promise<void> {
  const [{ formatError }, { decideOutputMode }, { createStyle }, { defuseLines }] = await Promise.all([
    import('./output/errors.js'),
    import('./output/mode.js'),
    import('./output/style.js'),
    import('./output/sanitize.js'),
  ]);
  const mode = decideOutputMode({ format: state.format, stdoutIsTTY: deps.stdoutIsTTY, stderrIsTTY: deps.stderrIsTTY, env: deps.env, noColor: state.noColor });
  const text = await formatError(error, { format: state.format, style: createStyle(mode.stderrColor), debug: state.debug });
  deps.stderr.write(defuseLines(state.redactor.redact(text)));
}
