// The command line plan, diff and review share: each compares the dist/ synthesized now with the
// one committed at a git ref, reads both as kubectl does (lib/synth/dist-files.ts), and exits 2 for an
// unknown ref, a missing, stale or unreadable dist/, or wrong arguments, before anything is printed.
import { currentDist, DistError, distAt } from '../lib/synth/dist-files';
import type { Plan } from '../lib/plan';

export type Format = 'text' | 'markdown' | 'json';

/** What the command was asked. */
export interface CompareRequest {
  readonly ref: string;
  readonly format: Format;
  /** The values of the command's own options (review's `--max-chars`), by option name. */
  readonly options: ReadonlyMap<string, string>;
}

/** The two renderings a change is judged on (path relative to dist/ → content). */
export interface DistChange {
  readonly before: ReadonlyMap<string, string>;
  readonly after: ReadonlyMap<string, string>;
}

/** An argument the command refuses: exit 2, with the message and the usage. */
export class UsageError extends Error {}

export interface CompareCommand {
  readonly usage: string;
  /** The formats it writes: `--markdown` and `--format` are refused when it writes none but text. */
  readonly formats: readonly Format[];
  /** The ref compared with when none is given; without one, a ref is required. */
  readonly defaultRef?: string;
  /** Its own options that take a value (`--max-chars 4000` or `--max-chars=4000`). */
  readonly valueOptions?: readonly string[];
  /** Checks its own options once parsed; throws a UsageError. */
  check?(request: CompareRequest): void;
  /** The output and the exit status, from the two renderings. */
  run(change: DistChange, request: CompareRequest): { readonly output: string; readonly status: number };
}

/** The exit status of a plan, for plan and review alike: 1 when the cluster refuses an update. */
export const planStatus = (plan: Plan): 0 | 1 => (plan.rejectedCount > 0 ? 1 : 0);

/** dist/ at `ref` and dist/ as synthesized now, after checking it is fresh against the build in `buildDir`. */
export function readChange(ref: string, buildDir: string): DistChange {
  // The ref first: a mistyped one is the user's to fix whatever state dist/ is in.
  const before = distAt(ref);
  const after = currentDist('dist', buildDir);
  return { before, after };
}

function parse(command: CompareCommand, argv: readonly string[]): CompareRequest | 'help' {
  let format: Format = 'text';
  const refs: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = arg.startsWith('--') ? arg.split('=')[0]! : arg;
    const value = () => (arg.includes('=') ? arg.slice(name.length + 1) : argv[++i]);
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--markdown' && command.formats.includes('markdown')) format = 'markdown';
    else if (name === '--format' && command.formats.includes('json')) {
      const given = value();
      const known = command.formats.find((f) => f === given);
      if (!known) throw new UsageError(`'--format' (${JSON.stringify(given ?? '')}) must be ${command.formats.slice(0, -1).join(', ')} or ${command.formats[command.formats.length - 1]}`);
      format = known;
    } else if (command.valueOptions?.includes(name)) {
      const given = value();
      if (given === undefined || given === '') throw new UsageError(`'${name}' needs a value`);
      options.set(name, given);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
    else refs.push(arg);
  }
  if (refs.length > 1) throw new UsageError(`one git ref at most (got ${refs.join(', ')})`);
  const ref = refs[0] ?? command.defaultRef;
  if (ref === undefined) throw new UsageError('no git ref given: the base to compare dist/ with (a branch such as origin/main, a tag or a commit)');
  return { ref, format, options };
}

/**
 * Runs a compare command on `argv`; returns the exit status. `buildDir` is where the command's
 * bundle runs from (.build/), beside the source hash the build recorded, which a fresh dist/ carries.
 */
export function runCompare(command: CompareCommand, argv: readonly string[], buildDir: string): number {
  let request: CompareRequest | 'help';
  try {
    request = parse(command, argv);
    if (request !== 'help') command.check?.(request);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${command.usage}`);
    return 2;
  }
  if (request === 'help') {
    console.log(command.usage);
    return 0;
  }
  try {
    const { output, status } = command.run(readChange(request.ref, buildDir), request);
    process.stdout.write(output);
    return status;
  } catch (error) {
    if (!(error instanceof DistError)) throw error;
    if (request.format === 'json') console.log(JSON.stringify({ error: error.message, exitCode: 2 }));
    else console.error(error.message);
    return 2;
  }
}
