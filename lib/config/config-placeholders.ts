import { ARGOCD } from '../../config/argocd';
import type { EnvironmentConfig } from '../../config/environment-config';
import { WORKLOADS } from '../../config/workloads';
import { findPlaceholders } from 'karpenter-validate';

/** A documentation placeholder in config/, with where to set the real value. */
export interface ConfigPlaceholder {
  /** The config file and the path in it: `config/environments/prod.ts: karpenter.controllerRoleArn`. */
  readonly where: string;
  readonly value: string;
  /** What kind of placeholder it is: "an AWS documentation account ID (111122223333)". */
  readonly what: string;
}

function inFile(file: string, value: unknown): ConfigPlaceholder[] {
  return findPlaceholders(value).map((p) => ({ where: `${file}: ${p.path}`, value: p.value, what: p.what }));
}

/**
 * The placeholders an environment's output holds through config/: its own file, the workloads'
 * shared entries (config/workloads.ts) and ArgoCD's (config/argocd.ts). The project's example
 * config uses documentation values on purpose (no real account is ever committed); a team
 * adopting it replaces each one, and REPORT.md and synth say which remain.
 */
export function configPlaceholders(env: EnvironmentConfig): ConfigPlaceholder[] {
  return [...inFile(`config/environments/${env.name}.ts`, env), ...sharedConfigPlaceholders()];
}

/** The placeholders of the config every environment shares. */
export function sharedConfigPlaceholders(): ConfigPlaceholder[] {
  return [...inFile('config/workloads.ts', WORKLOADS), ...inFile('config/argocd.ts', ARGOCD)];
}

/** For the console after synth: one line per environment that still holds placeholders; empty when none does. */
export function formatPlaceholders(byEnvironment: ReadonlyMap<string, readonly ConfigPlaceholder[]>): string {
  return [...byEnvironment]
    .filter(([, placeholders]) => placeholders.length > 0)
    .map(([env, placeholders]) => `${env}: ${placeholders.length} documentation placeholder value(s) in config/ to replace before a first sync (${[...new Set(placeholders.map((p) => p.where.split(':')[0]))].join(', ')}; each listed in dist/${env}/REPORT.md, Placeholders to replace)`)
    .join('\n');
}
