// `npm run validate -- <paths...>`: validates Kubernetes manifests (files or folders, multi-document
// YAML or JSON, from any tool) as the API server, Karpenter and the scheduler would judge them.
//
//   --format text|json      report format (default text; json for CI: only JSON on stdout, errors included)
//   --admission-only        only what the API server enforces: schema, CEL rules, its own rules
//   --production            production policy too (no @latest AMI)
//   --pod-security <level>  the Pod Security level of namespaces the files do not define
//                           (privileged, baseline or restricted; default: none, not checked)
//   --previous <path>       the same manifests as they are now (a previous render, files or a
//                           folder): each object is also checked as an update of its previous
//                           version (immutable fields, CRD transition rules); a folder of cluster
//                           subfolders pairs each with the subfolder of the same name
//   --karpenter-version <release>
//                           the Karpenter release the cluster runs (1.14.1 or 1.15.0; default
//                           1.14.1): its CRDs, instance types and metrics judge the manifests
//   --list-rules            print every rule: id, layer, severity and why it exists
//
// A folder whose manifests are all in subfolders (a synthesized dist/: dist/dev, dist/prod,
// dist/argocd) holds one cluster per subfolder: each is validated as its own set, since one
// cluster's objects are not another's (the same Namespace in two clusters is not a duplicate).
//
// Exit status: 0 valid (warnings allowed), 1 errors found, 2 a file cannot be read or parsed or
// the arguments are wrong, 3 the validator itself failed (a bug: please report it).
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import type { ValidateOptions, ValidationResult } from './validation';
import { validationCache } from './validation-cache';
import { formatJson, formatText } from './validation/format';
import { Input } from './validation/findings';
import { clusterSets, DeepLoadError, inputsOf, LoadError, manifestFiles } from './validation/load';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { RULE_CATALOG } from './validation/rules';
import { karpenterReleaseProblem } from './karpenter-release';

const USAGE = 'usage: npm run --silent validate -- [--format text|json] [--admission-only] [--production] [--pod-security <level>] [--previous <file or folder>] [--karpenter-version <release>] <file or folder>...\n       npm run --silent validate -- --list-rules';
const LEVELS = ['privileged', 'baseline', 'restricted'];

class UsageError extends Error {}

interface Arguments {
  readonly paths: string[];
  readonly previous?: string;
  readonly format: 'text' | 'json';
  readonly options: ValidateOptions;
  readonly listRules: boolean;
  readonly help: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  const paths: string[] = [];
  let format = 'text';
  let admissionOnly = false;
  let production = false;
  let podSecurity: string | undefined;
  let previous: string | undefined;
  let karpenterVersion: string | undefined;
  let listRules = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (name: string) => {
      const inline = arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : undefined;
      return inline ?? argv[++i] ?? '';
    };
    if (arg === '--format' || arg.startsWith('--format=')) format = value('--format');
    else if (arg === '--pod-security' || arg.startsWith('--pod-security=')) podSecurity = value('--pod-security');
    else if (arg === '--previous' || arg.startsWith('--previous=')) previous = value('--previous');
    else if (arg === '--karpenter-version' || arg.startsWith('--karpenter-version=')) karpenterVersion = value('--karpenter-version');
    else if (arg === '--admission-only') admissionOnly = true;
    else if (arg === '--production') production = true;
    else if (arg === '--list-rules') listRules = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
    else paths.push(arg);
  }
  if (format !== 'text' && format !== 'json') throw new UsageError(`'--format' (${JSON.stringify(format)}) must be text or json`);
  if (podSecurity !== undefined && !LEVELS.includes(podSecurity)) throw new UsageError(`'--pod-security' (${JSON.stringify(podSecurity)}) must be one of ${LEVELS.join(', ')}`);
  if (paths.length === 0 && !listRules && !help) throw new UsageError('no file or folder given');
  if (previous === '') throw new UsageError("'--previous' needs a file or folder");
  const release = karpenterReleaseProblem('--karpenter-version', karpenterVersion);
  if (release) throw new UsageError(release);
  return {
    paths,
    ...(previous !== undefined ? { previous } : {}),
    format,
    listRules,
    help,
    options: { admissionOnly, production, ...(podSecurity ? { podSecurityDefault: podSecurity as 'privileged' | 'baseline' | 'restricted' } : {}), ...(karpenterVersion !== undefined ? { karpenterVersion } : {}) },
  };
}

/** The bytes that decide a set's result: each file's name (findings cite it) and content. */
function contentOf(paths: readonly string[]): (string | Buffer)[] {
  return manifestFiles(paths).flatMap((file) => [relative(process.cwd(), file), readFileSync(file)]);
}

/** Runs the CLI; returns the exit status. Prints only JSON on stdout with --format json, whatever happens. */
async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--format=json') || argv.some((a, i) => a === '--format' && argv[i + 1] === 'json');
  const fail = (status: number, message: string): number => {
    if (json) console.log(JSON.stringify({ error: message, exitCode: status }));
    else console.error(message);
    return status;
  };
  let args: Arguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return fail(2, `${error.message}\n${USAGE}`);
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.listRules) {
    if (json) console.log(JSON.stringify([...RULE_CATALOG.values()], null, 2));
    else for (const rule of RULE_CATALOG.values()) console.log(`${rule.id.padEnd(28)} ${rule.layer.padEnd(9)} ${rule.severity.padEnd(7)} ${rule.rationale}`);
    return 0;
  }
  // Time includes reading and parsing: what the user waits for.
  const start = process.hrtime.bigint();
  const results: ValidationResult[] = [];
  let objects = 0;
  let fromCache = 0;
  try {
    // The previous render, by cluster folder when it has them.
    const previousSets = args.previous !== undefined ? clusterSets([args.previous]) : [];
    const previousByFolder = new Map(previousSets.filter((set) => set.length === 1).map((set) => [basename(set[0]!), set]));
    // A cluster folder is compared with the previous folder of the same name, else with everything given.
    const previousPaths = (set: readonly string[]) => (set.length === 1 ? previousByFolder.get(basename(set[0]!)) : undefined) ?? [args.previous!];
    const previousOf = (set: readonly string[]) => (args.previous === undefined ? undefined : [...inputsOf(previousPaths(set))].map((input) => input.object));
    // Results of unchanged files come from the cache (src/validation-cache.ts, keyed by the files'
    // names and bytes, the options and the validator build): the validator is loaded only on a miss.
    const cache = validationCache(__dirname);
    const previousContent = (set: readonly string[]) => (args.previous === undefined ? [] : contentOf(previousPaths(set)));
    // Each cluster's objects are one set (a synthesized dist/ holds one folder per cluster).
    for (const set of clusterSets(args.paths)) {
      const key = cache.key([...contentOf(set), '--previous', ...previousContent(set)], args.options);
      const cached = cache.get(key) as (ValidationResult & { objects?: number }) | undefined;
      if (cached && typeof cached.objects === 'number') {
        objects += cached.objects;
        fromCache++;
        results.push(cached);
        continue;
      }
      const inputs: Input[] = [];
      for (const input of inputsOf(set)) inputs.push(input);
      objects += inputs.length;
      const previous = previousOf(set);
      const { validate } = await import('./validation');
      const result = validate(inputs, { ...args.options, ...(previous ? { previous } : {}) });
      cache.set(key, { ...result, objects: inputs.length } as ValidationResult);
      results.push(result);
    }
  } catch (error) {
    if (!(error instanceof LoadError)) throw error;
    // Read again where the stack is deep enough for what kubectl reads (see DEEP below).
    if (error instanceof DeepLoadError && isMainThread) return DEEP;
    return fail(2, error.message);
  }
  const result = merge(results);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (args.format === 'json') console.log(formatJson(result, objects, ms));
  else console.log(`${formatText(result, objects)} (${ms.toFixed(0)} ms, reading included${results.length > 1 ? `; ${results.length} clusters, each validated as its own set` : ''}${args.options.admissionOnly ? '; admission checks only' : ''}${fromCache > 0 ? `; ${fromCache === results.length ? 'all' : fromCache} unchanged since validated: results from the cache` : ''})`);
  return result.errors > 0 ? 1 : 0;
}

function merge(results: readonly ValidationResult[]): ValidationResult {
  return {
    findings: results.flatMap((r) => r.findings),
    waived: results.flatMap((r) => r.waived),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    warnings: results.reduce((sum, r) => sum + r.warnings, 0),
  };
}

/**
 * Returned when a document nests deeper than this thread's stack lets the reader go: the whole
 * command runs again on a worker thread with a 256 MiB stack, which reads the 10,000 levels
 * kubectl reads (and validates what it read). Rare: no manifest nests that deep by design.
 */
const DEEP = -1;

function runDeep(argv: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const worker = new Worker(__filename, { argv: [...argv], workerData: { deep: true }, resourceLimits: { stackSizeMb: 256 }, stdout: false, stderr: false });
    worker.on('message', (status: number) => resolve(status));
    worker.on('error', (error) => {
      console.error(`the validator failed (a bug, please report it): ${error.message}`);
      resolve(3);
    });
    worker.on('exit', () => resolve(3));
  });
}

const argv = process.argv.slice(2);
main(argv).then(async (status) => {
  const final = status === DEEP ? await runDeep(argv) : status;
  if (!isMainThread && (workerData as { deep?: boolean } | undefined)?.deep) {
    const { parentPort } = await import('node:worker_threads');
    parentPort?.postMessage(final);
  }
  process.exitCode = final;
}, (error: unknown) => {
  // A bug in the validator, not a problem of the files: say so, without a stack trace unless asked.
  const message = `the validator failed (a bug, please report it): ${(error as Error).message ?? String(error)}`;
  if (process.argv.includes('--format=json') || process.argv.join(' ').includes('--format json')) console.log(JSON.stringify({ error: message, exitCode: 3 }));
  else console.error(message);
  if (process.env.KARPENTER_AS_CODE_DEBUG) console.error((error as Error).stack);
  process.exitCode = 3;
});
