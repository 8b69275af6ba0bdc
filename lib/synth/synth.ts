import { close, constants, existsSync, link, mkdirSync, open, readFile, renameSync, rmSync, writeFile } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ApiObject, type App } from 'cdk8s';
import type { BuiltEnvironment, Composition, EnvironmentSummary, SharedOutput } from './composition';
import { ConfigPlaceholder, configPlaceholders } from '../config/config-placeholders';
import type { EnvironmentConfig } from '../../config/environment-config';
import { ConfigError } from '../config/errors';
import { karpenterVersionOf } from '../config/environment';
import { CLUSTER_SCOPED_KINDS, layout, Manifest, toYaml, withSyncOptions } from './layout';
import { report } from './report';
import { sourceHash, STAMP_FILE } from './source-hash';
import type { ValidatorThread } from './validator-thread';
import type { ValidateOptions, ValidationResult } from 'karpenter-validate';
import { formatText } from 'karpenter-validate';


/** The summary of a built environment the shared files are made from. */
export function summarize(built: BuiltEnvironment): EnvironmentSummary {
  const kinds = new Set<string>();
  const namespaces = new Set<string>();
  for (const m of built.manifests) {
    if (m.metadata.namespace !== undefined) namespaces.add(m.metadata.namespace);
    else if (CLUSTER_SCOPED_KINDS.has(m.kind)) kinds.add(`${m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : ''}/${m.kind}`);
  }
  return { env: built.env, clusterScopedKinds: [...kinds].sort(), namespaces: [...namespaces].sort(), constructPaths: built.constructPaths ?? [] };
}

/** An environment whose objects fail validation, with what the validator found. */
export interface ValidationFailure {
  readonly env: string;
  readonly result: ValidationResult;
  readonly objects: number;
}

/** The environments whose objects fail validation; the message is the grouped report of their errors. */
export class ValidationError extends ConfigError {
  constructor(readonly failures: readonly ValidationFailure[]) {
    super(
      failures
        .map(({ env, result, objects }) => `environment "${env}" fails validation:\n${formatText({ ...result, findings: result.findings.filter((f) => f.severity === 'error'), waived: [] }, objects)}`)
        .join('\n\n'),
    );
    this.name = 'ValidationError';
  }
}

/**
 * The construct path of each object of an App, by the object's name: what cdk8s-cli's validation
 * report shows for a violating resource (cdk8s 2.x App.writeConstructMetadata keys its
 * construct-metadata.json the same way, by name alone).
 */
export function constructPathsOf(app: App): [string, string][] {
  return app.node.findAll().flatMap((c) => (ApiObject.isApiObject(c) ? [[c.name, c.node.path] as [string, string]] : []));
}

/**
 * cdk8s-cli's construct-metadata.json (format version 1.0.0): the construct of each name. A name
 * several objects share (a NodePool and its EC2NodeClass, one object in each environment) lists
 * every construct that made one, since the report can only look names up.
 */
export function constructMetadata(paths: readonly (readonly [string, string])[]): string {
  const byName = new Map<string, string[]>();
  for (const [name, path] of paths) byName.set(name, [...(byName.get(name) ?? []), path]);
  const resources = Object.fromEntries([...byName].sort(([a], [b]) => a.localeCompare(b)).map(([name, all]) => [name, { path: [...new Set(all)].join(', ') }]));
  return JSON.stringify({ version: '1.0.0', resources });
}

/** An App's objects, after its constructs' own validations; throws a ConfigError naming each failure. */
export function synthesizeApp(app: App): Manifest[] {
  const errors = app.node.findAll().flatMap((c) => c.node.validate().map((message) => `${c.node.path}: ${message}`));
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return app.charts.flatMap((chart) => chart.toJson() as Manifest[]);
}

/** How an environment is validated: as a complete set, with production rules where it is production, knowing its declared prerequisites. */
export function validateOptions(built: BuiltEnvironment): ValidateOptions {
  return { complete: true, production: built.env.production, prerequisites: built.prerequisites, listedPlaceholders: configPlaceholders(built.env).map((p) => p.value), karpenterVersion: karpenterVersionOf(built.env) };
}

/** Every environment, built one at a time after the shared config is checked; names must be unique. */
export function* buildAll(composition: Composition, envs: readonly EnvironmentConfig[]): Generator<BuiltEnvironment> {
  composition.checkShared();
  const names = new Set<string>();
  for (const env of envs) {
    if (names.has(env.name)) throw new ConfigError(`environment "${env.name}": 'name' ("${env.name}") must be unique across config/environments`);
    names.add(env.name);
    const built = composition.build(env);
    // Validated as written: with the sync waves the layout gives, so wave order is checked too.
    yield { ...built, manifests: built.manifests.map(withSyncOptions) };
  }
}

/** One environment's files (paths relative to `dist/`), or why it fails validation. */
type EnvironmentOutput = ({ readonly files: readonly (readonly [string, string])[]; readonly warnings: ValidationResult['findings'] } | { readonly failure: ValidationFailure }) & { readonly summary: EnvironmentSummary };

/** An environment's YAML (`laidOut`, by file name) and REPORT.md, once validation passed. */
function environmentOutput(built: BuiltEnvironment, validation: ValidationResult, laidOut: ReadonlyMap<string, string>, summary: EnvironmentSummary = summarize(built)): EnvironmentOutput {
  const { env, manifests } = built;
  if (validation.errors > 0) return { failure: { env: env.name, result: validation, objects: manifests.length }, summary };
  return {
    files: [...[...laidOut].map(([file, content]) => [`${env.name}/${file}`, content] as const), [`${env.name}/REPORT.md`, report(built, validation)]],
    warnings: validation.findings.filter((f) => f.severity === 'warning'),
    summary,
  };
}

/** What a synth produced: the files, the validator's warnings by environment (printed, not failing) and the placeholders left in config/ (printed). */
export interface SynthOutput {
  readonly files: Map<string, string>;
  readonly warnings: ReadonlyMap<string, ValidationResult['findings']>;
  readonly placeholders: ReadonlyMap<string, readonly ConfigPlaceholder[]>;
  /** The construct of every object of every environment, by name (for `cdk8s synth`'s validation report). */
  readonly constructPaths: readonly (readonly [string, string])[];
}

/** The name under which failures of the shared files (ArgoCD's) are reported. */
const SHARED = 'argocd';

/** The shared objects, validated together as one set. */
function sharedObjects(shared: SharedOutput): Manifest[] {
  return [...shared.objects.values()].flat();
}

/** How the shared set is validated: complete, and with production rules when any environment is production. */
function sharedOptions(summaries: readonly EnvironmentSummary[], shared: SharedOutput): ValidateOptions {
  const listedPlaceholders = [...new Set(summaries.flatMap((summary) => configPlaceholders(summary.env).map((p) => p.value)))];
  return { complete: true, production: summaries.some((summary) => summary.env.production), prerequisites: shared.prerequisites, listedPlaceholders };
}

// Shared objects in the order they apply: their sync wave, then kind and name.
const byWave = (a: Manifest, b: Manifest) =>
  Number(a.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0) - Number(b.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0) ||
  a.kind.localeCompare(b.kind) ||
  a.metadata.name.localeCompare(b.metadata.name);

/**
 * Every environment's files, then the shared ones (validated as one set, `sharedResult`); a
 * ValidationError naming every environment, and the shared files, that fail.
 */
function assemble(outputs: readonly EnvironmentOutput[], shared: SharedOutput, sharedResult: ValidationResult, hash: string = sourceHash()): SynthOutput {
  const failures = outputs.flatMap((o) => ('failure' in o ? [o.failure] : []));
  if (sharedResult.errors > 0) failures.push({ env: SHARED, result: sharedResult, objects: sharedObjects(shared).length });
  if (failures.length > 0) throw new ValidationError(failures);
  const files = new Map(outputs.flatMap((o) => ('files' in o ? o.files : [])));
  for (const [path, objects] of shared.objects) files.set(path, toYaml([...objects].sort(byWave)));
  for (const [path, content] of shared.texts) files.set(path, content);
  files.set(STAMP_FILE, `${hash}\n`);
  const warnings = new Map(outputs.map((o) => [o.summary.env.name, 'warnings' in o ? o.warnings : []]));
  warnings.set(SHARED, sharedResult.findings.filter((f) => f.severity === 'warning'));
  const placeholders = new Map(outputs.map((o) => [o.summary.env.name, configPlaceholders(o.summary.env)]));
  return { files, warnings, placeholders, constructPaths: outputs.flatMap((o) => o.summary.constructPaths) };
}

/**
 * Every environment's files, keyed by path relative to `dist/` (`prod/04-nodepools.yaml`):
 * each environment's YAML and its REPORT.md, then the shared files. `validations` are the
 * environments' validation results, in the same order. Throws a ValidationError naming every
 * environment whose objects fail.
 */
export function renderBuilt(composition: Composition, built: readonly BuiltEnvironment[], validations: readonly ValidationResult[], validate: (manifests: readonly Manifest[], options: ValidateOptions) => ValidationResult): SynthOutput {
  const outputs = built.map((b, i) => environmentOutput(b, validations[i]!, layout(b.manifests)));
  const shared = composition.shared(outputs.map((o) => o.summary));
  return assemble(outputs, shared, validate(sharedObjects(shared), sharedOptions(outputs.map((o) => o.summary), shared)));
}

// Environments that may wait for the validator while the next one is built.
const IN_FLIGHT = 1;

/**
 * Every environment's files, validated by `validator` (a worker thread in `npm run synth`):
 * each environment goes to it as soon as it is built, and this thread lays out its YAML while
 * the validator works, then builds the next once the one before is validated. So at most
 * two environments' objects are held, and each is let go as soon as its files are made:
 * memory holds files, not every environment's objects. The shared set goes to the validator as
 * soon as the last environment is built: it needs their summaries, not their validation.
 */
export async function renderAllWith(composition: Composition, envs: readonly EnvironmentConfig[], validator: ValidatorThread, hash?: string, sink?: OutputSink): Promise<SynthOutput> {
  const outputs: Promise<EnvironmentOutput>[] = [];
  const summaries: EnvironmentSummary[] = [];
  // With a sink, each environment's files go to it as soon as they are made and are not held:
  // memory holds one or two environments, not every file of a thousand.
  const emit = (output: EnvironmentOutput): EnvironmentOutput => {
    if (!sink || !('files' in output)) return output;
    for (const [path, content] of output.files) sink.write(path, content);
    return { ...output, files: [] };
  };
  try {
    for (const built of buildAll(composition, envs)) {
      const summary = summarize(built);
      summaries.push(summary);
      const validation = validator.validate(built.manifests, validateOptions(built));
      const laidOut = layout(built.manifests);
      outputs.push(validation.then((result) => emit(environmentOutput(built, result, laidOut, summary))));
      // Before building the next, wait for the one before this: the validator always has work.
      // After the last, go on to the shared set at once: the validator takes it next.
      if (outputs.length > IN_FLIGHT && outputs.length < envs.length) await outputs[outputs.length - 1 - IN_FLIGHT];
      await sink?.settle?.();
    }
  } finally {
    // A build error must not leave validations unobserved.
    if (outputs.length < envs.length) await Promise.allSettled(outputs);
  }
  const shared = composition.shared(summaries);
  // One await for both, so that a failing validator thread never leaves a rejection unobserved.
  const [done, sharedResult] = await Promise.all([Promise.all(outputs), validator.validate(sharedObjects(shared), sharedOptions(summaries, shared))]);
  return assemble(done, shared, sharedResult, hash);
}

/** Where synth writes files as it makes them. */
export interface OutputSink {
  write(path: string, content: string): void;
  /** Resolves when the sink has few enough files in hand to take another environment's. */
  settle?(): Promise<void>;
}

const READ_NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW;

// Files a StagedOutput may hold that the disk has not taken yet, before synth waits for it.
const MAX_PENDING_WRITES = 256;

/**
 * Output written to a staging folder beside `outdir` as it is made, then swapped in whole with
 * renames (commit), or removed (abort): a failure at any point leaves `outdir` as it was.
 *
 * Files are written asynchronously (node's callback writeFile: a fraction of the promise API's
 * cost on this thread): where the disk takes a millisecond or more a file, this thread builds
 * the next environment meanwhile. `settle` bounds the files in hand; `commit` waits for every
 * write, and fails with the first error.
 *
 * A file `outdir` already holds with the same content is linked into the staging folder instead
 * of written: a synth that changes nothing creates no file and frees none when the previous
 * output is removed, and unchanged files keep their modification time. Creating files is where
 * the disk's time goes: ext4 skips inodes freed in the last minutes when it allocates one
 * (fs/ext4/ialloc.c, recently_deleted), so after thousands of files were replaced every new file
 * costs about a millisecond of kernel time instead of tens of microseconds (measured here). Where
 * linking fails (a file system without hard links), the file is written.
 */
export class StagedOutput implements OutputSink {
  private readonly target: string;
  private readonly staging: string;
  private readonly previous: string;
  // Staging folders made, and whether `outdir` has the same folder to reuse files from.
  private readonly dirs = new Map<string, boolean>();
  private inFlight = 0;
  private waiting: { readonly atMost: number; readonly resume: () => void }[] = [];
  private failure: { error: unknown } | undefined;

  constructor(outdir: string) {
    this.target = resolve(outdir);
    this.staging = join(dirname(this.target), `.dist-staging-${process.pid}`);
    this.previous = join(dirname(this.target), `.dist-previous-${process.pid}`);
    rmSync(this.staging, { recursive: true, force: true });
    mkdirSync(this.staging, { recursive: true });
  }

  write(path: string, content: string): void {
    const file = join(this.staging, path);
    const dir = dirname(file);
    let reuse: boolean;
    try {
      reuse = this.dirs.get(dir) ?? this.prepare(dir, dirname(join(this.target, path)));
    } catch (error) {
      this.failure ??= { error };
      return;
    }
    this.inFlight++;
    const done = (error: Error | null) => {
      if (error) this.failure ??= { error };
      this.inFlight--;
      this.waiting = this.waiting.filter((w) => (this.inFlight <= w.atMost ? (w.resume(), false) : true));
    };
    if (!reuse) return writeFile(file, content, done);
    const previous = join(this.target, path);
    // Not through a symbolic link (O_NOFOLLOW): linking one would put the link, not a file, in the output.
    open(previous, READ_NO_FOLLOW, (openError, fd) => {
      if (openError) return writeFile(file, content, done);
      readFile(fd, 'utf8', (readError, old) => {
        close(fd, () => {
          if (readError || old !== content) return writeFile(file, content, done);
          link(previous, file, (linkError) => (linkError ? writeFile(file, content, done) : done(null)));
        });
      });
    });
  }

  /** Makes a staging folder; whether the same folder of `outdir` exists, to reuse its files. */
  private prepare(dir: string, previousDir: string): boolean {
    mkdirSync(dir, { recursive: true });
    const reuse = existsSync(previousDir);
    this.dirs.set(dir, reuse);
    return reuse;
  }

  /** Resolves when at most `atMost` writes are in flight. */
  private drained(atMost: number): Promise<void> {
    return this.inFlight <= atMost ? Promise.resolve() : new Promise((resume) => this.waiting.push({ atMost, resume }));
  }

  settle(): Promise<void> {
    return this.drained(MAX_PENDING_WRITES);
  }

  /** Replaces `outdir` with what was written, once every write is done; on a failed write, aborts and throws its error. */
  async commit(): Promise<void> {
    await this.drained(0);
    if (this.failure) {
      await this.abort();
      throw this.failure.error;
    }
    try {
      if (existsSync(this.target)) renameSync(this.target, this.previous);
      renameSync(this.staging, this.target);
    } catch (error) {
      if (!existsSync(this.target) && existsSync(this.previous)) renameSync(this.previous, this.target);
      throw error;
    } finally {
      await this.abort();
    }
  }

  /** Drops what was written, once no write is in flight; `outdir` stays as it was. */
  async abort(): Promise<void> {
    await this.drained(0);
    rmSync(this.staging, { recursive: true, force: true });
    rmSync(this.previous, { recursive: true, force: true });
  }
}

/**
 * Replaces `outdir` with `files`. Everything is written to a sibling staging folder first and
 * swapped in with renames, so a failure while writing leaves the previous output untouched.
 */
export async function writeOutput(files: ReadonlyMap<string, string>, outdir: string): Promise<void> {
  const staged = new StagedOutput(outdir);
  for (const [path, content] of files) staged.write(path, content);
  await staged.commit();
}
