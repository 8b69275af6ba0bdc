import { dirname } from 'node:path';
import { validate, type ValidateOptions } from './validation';
import type { Finding } from './validation/findings';
import { loadInputs, LoadError } from './validation/load';
import { RULE_CATALOG } from './validation/rules';

/**
 * The cdk8s validation plugin: `cdk8s synth` runs every rule on the manifests the app wrote.
 *
 *   # cdk8s.yaml
 *   validations:
 *     - package: ./node_modules/karpenter-validate
 *       version: "0.1.0"
 *       class: KarpenterValidation
 *       properties: { production: true }
 *
 * The contract is cdk8s-cli's (2.x, lib/plugins/validation.js and _manager.js): the CLI loads the
 * package by path (its package.json `main`, so this class is exported from the package's main
 * entry), calls `new KarpenterValidation(properties)`, awaits `validate(context)`, and prints the
 * report it submitted; a report submitted as `failure` makes `cdk8s synth` exit 2. The types below
 * are our own, structurally what cdk8s-cli passes, so that the plugin needs no cdk8s-cli at run
 * time (it runs inside the CLI's process).
 *
 * Construct paths: cdk8s-cli maps each violating resource's `resourceName` to the construct that
 * made it through the `construct-metadata.json` an app writes when the CLI asks for it
 * (`App.synth()` does), keyed by `metadata.name`. So every resource is named by its
 * `metadata.name`, and the kind, namespace and field go in its location (names alone collide:
 * a NodePool and its EC2NodeClass are often both `default`).
 */
export interface KarpenterValidationProperties {
  /** Production rules (no `@latest` AMI, NetworkPolicies required). @default false */
  readonly production?: boolean;
  /** Only what the API server enforces. @default false */
  readonly admissionOnly?: boolean;
  /** The Pod Security level of namespaces the manifests do not define. @default none: not checked */
  readonly podSecurity?: 'privileged' | 'baseline' | 'restricted';
  /**
   * The manifests are everything the cluster will hold: a reference to an object outside them is
   * an error rather than a warning. @default false
   */
  readonly complete?: boolean;
  /** Fail the synth on warnings too. @default false: errors only */
  readonly failOnWarnings?: boolean;
}

/** What cdk8s-cli's ValidationContext offers a plugin (cdk8s-cli 2.x lib/plugins/validation.d.ts). */
export interface ValidationContextLike {
  /** The manifests the app wrote, relative to the working directory. */
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: {
      readonly ruleName: string;
      readonly recommendation: string;
      readonly fix: string;
      readonly violatingResources: readonly { readonly resourceName: string; readonly manifestPath: string; readonly locations: readonly string[] }[];
    }): void;
    submit(status: 'success' | 'failure', metadata?: Readonly<Record<string, string>>): void;
  };
}

const LEVELS = ['privileged', 'baseline', 'restricted'];
const PREFIX = 'karpenter-validate';

export class KarpenterValidation {
  private readonly properties: KarpenterValidationProperties;

  constructor(properties: KarpenterValidationProperties = {}) {
    this.properties = properties ?? {};
  }

  async validate(context: ValidationContextLike): Promise<void> {
    // Whatever happens, a report is submitted: a plugin that throws makes cdk8s-cli print a stack
    // trace and no report at all (lib/util.js validateApp).
    try {
      const problem = this.propertyProblem();
      if (problem) {
        this.fail(context, 'properties', problem, 'Fix the properties of this plugin in cdk8s.yaml.');
        return;
      }
      if (context.manifests.length === 0) {
        context.report.submit('success', { Manifests: '0' });
        return;
      }
      const options: ValidateOptions = {
        complete: this.properties.complete ?? false,
        production: this.properties.production ?? false,
        admissionOnly: this.properties.admissionOnly ?? false,
        ...(this.properties.podSecurity ? { podSecurityDefault: this.properties.podSecurity } : {}),
      };
      // Manifests in one folder are one cluster's; an app that writes a folder per cluster (as
      // this project's does) gets each validated as its own set, as `karpenter-validate dist/` does.
      const byFolder = new Map<string, string[]>();
      for (const manifest of context.manifests) byFolder.set(dirname(manifest), [...(byFolder.get(dirname(manifest)) ?? []), manifest]);
      const results = [...byFolder.values()].map((files) => {
        const inputs = loadInputs(files);
        return { objects: inputs.length, ...validate(inputs, options) };
      });
      const result = {
        objects: results.reduce((n, r) => n + r.objects, 0),
        findings: results.flatMap((r) => r.findings),
        waived: results.flatMap((r) => r.waived),
        errors: results.reduce((n, r) => n + r.errors, 0),
        warnings: results.reduce((n, r) => n + r.warnings, 0),
      };
      for (const [rule, findings] of byRule(result.findings)) {
        context.report.addViolation({
          ruleName: `${PREFIX}/${rule} (${findings.some((f) => f.severity === 'error') ? 'error' : 'warning'})`,
          recommendation: RULE_CATALOG.get(rule)?.rationale ?? rule,
          fix: [...new Set(findings.map((f) => f.message))].join('\n'),
          violatingResources: findings.map((f) => ({
            resourceName: f.object.name,
            manifestPath: manifestPathOf(f.object.source),
            locations: [`${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}${f.path ? `: ${f.path}` : ''}${f.value !== undefined ? ` (${show(f.value)})` : ''}: ${f.message}`],
          })),
        });
      }
      const failing = result.errors > 0 || (this.properties.failOnWarnings === true && result.warnings > 0);
      context.report.submit(failing ? 'failure' : 'success', {
        Objects: String(result.objects),
        Errors: String(result.errors),
        Warnings: String(result.warnings),
        Waived: String(result.waived.length),
      });
    } catch (error) {
      if (error instanceof LoadError) {
        this.fail(context, 'unreadable', error.message, 'Make the manifest readable as kubectl reads it (YAML 1.1 or JSON, one object per document).');
        return;
      }
      this.fail(context, 'internal-error', `the validator failed (a bug: please report it): ${(error as Error)?.message ?? String(error)}`, 'Report it with the manifests that trigger it; run with --no-validate meanwhile.');
    }
  }

  private propertyProblem(): string | undefined {
    const p = this.properties;
    if (typeof p !== 'object' || Array.isArray(p)) return `'properties' (${show(p)}) must be a mapping`;
    const known = ['production', 'admissionOnly', 'podSecurity', 'complete', 'failOnWarnings'];
    const unknown = Object.keys(p).filter((k) => !known.includes(k));
    if (unknown.length > 0) return `'properties.${unknown[0]}' is not a property of KarpenterValidation: it takes ${known.join(', ')}`;
    for (const key of ['production', 'admissionOnly', 'complete', 'failOnWarnings'] as const) {
      if (p[key] !== undefined && typeof p[key] !== 'boolean') return `'properties.${key}' (${show(p[key])}) must be true or false`;
    }
    if (p.podSecurity !== undefined && !LEVELS.includes(p.podSecurity)) return `'properties.podSecurity' (${show(p.podSecurity)}) must be one of ${LEVELS.join(', ')}`;
    return undefined;
  }

  private fail(context: ValidationContextLike, rule: string, message: string, fix: string): void {
    context.report.addViolation({ ruleName: `${PREFIX}/${rule}`, recommendation: message, fix, violatingResources: [] });
    context.report.submit('failure');
  }
}

function byRule(findings: readonly Finding[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) out.set(f.rule, [...(out.get(f.rule) ?? []), f]);
  return out;
}

/** `dist/app.k8s.yaml#2` → `dist/app.k8s.yaml`: the reader names the document, cdk8s the file. */
function manifestPathOf(source: string | undefined): string {
  return (source ?? '').replace(/#\d+$/, '');
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
