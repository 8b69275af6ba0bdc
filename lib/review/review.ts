import type { ConfigPlaceholder } from '../config/config-placeholders';
import { ObjectChange, semanticDiff } from '../plan/diff';
import { plan, Plan } from '../plan';
import { RecordedEntry, recordedFindings } from './recorded-findings';

/**
 * One review document per pull request (`npm run review`): what a reviewer needs of a change in
 * one place, between the dist/ committed at a base ref and the dist/ synthesized now. Each part
 * is what the project's own commands compute, never a second version of it: the plan of
 * `npm run plan` (lib/plan), the object diff of `npm run diff` (lib/plan/diff.ts), the
 * validator's warnings and waivers synth recorded (recorded-findings.ts), and the placeholders
 * left in config/ (lib/config/config-placeholders.ts). format.ts writes it as text, Markdown
 * within a comment's size, or JSON.
 */

/** A warning or waiver, marked when the base did not record it. */
export type ReviewedEntry = RecordedEntry & { readonly new: boolean };

/** What synth's validator said of one environment's objects, against what it said at the base. */
export interface EnvironmentValidation {
  readonly env: string;
  /** Where it was read from: `dist/prod/REPORT.md`. */
  readonly report: string;
  readonly warnings: readonly ReviewedEntry[];
  readonly waivers: readonly ReviewedEntry[];
  /** What the base recorded and this change no longer has. */
  readonly gone: { readonly warnings: readonly RecordedEntry[]; readonly waivers: readonly RecordedEntry[] };
}

/** The documentation placeholders an environment still takes from config/. */
export interface EnvironmentPlaceholders {
  readonly env: string;
  readonly placeholders: readonly ConfigPlaceholder[];
}

export interface Review {
  /** The git ref the change is compared with, as given. */
  readonly base: string;
  /** Updates the cluster refuses (the plan's): the review fails with any, as the plan does. */
  readonly refused: number;
  readonly plan: Plan;
  readonly validation: readonly EnvironmentValidation[];
  /**
   * Folders of dist/ that hold objects and no REPORT.md (`argocd`): synth validates them as one
   * set with every environment and prints their warnings, but records none.
   */
  readonly unrecorded: readonly string[];
  readonly placeholders: readonly EnvironmentPlaceholders[];
  readonly diff: readonly ObjectChange[];
}

/** What the review is made from. */
export interface ReviewInput {
  readonly base: string;
  /** dist/ at the base ref and dist/ now (path relative to dist/ → content): lib/synth/dist-files.ts. */
  readonly before: ReadonlyMap<string, string>;
  readonly after: ReadonlyMap<string, string>;
  /** The placeholders of config/ by environment (lib/config/config-placeholders.ts configPlaceholders). */
  readonly placeholders: ReadonlyMap<string, readonly ConfigPlaceholder[]>;
}

const REPORT = /^([^/]+)\/REPORT\.md$/;

function validationOf(env: string, before: string | undefined, after: string): EnvironmentValidation {
  const [old, now] = [recordedFindings(before ?? ''), recordedFindings(after)];
  const mark = (entries: readonly RecordedEntry[], base: readonly RecordedEntry[]) => {
    const known = new Set(base.map((e) => e.text));
    return entries.map((e) => ({ ...e, new: !known.has(e.text) }));
  };
  const gone = (base: readonly RecordedEntry[], entries: readonly RecordedEntry[]) => {
    const kept = new Set(entries.map((e) => e.text));
    return base.filter((e) => !kept.has(e.text));
  };
  return {
    env,
    report: `dist/${env}/REPORT.md`,
    warnings: mark(now.warnings, old.warnings),
    waivers: mark(now.waivers, old.waivers),
    gone: { warnings: gone(old.warnings, now.warnings), waivers: gone(old.waivers, now.waivers) },
  };
}

/** The review of a change: every part computed from the two renderings of dist/. */
export function review(input: ReviewInput): Review {
  const { base, before, after } = input;
  const planned = plan(before, after);
  const reports = [...after.keys()].map((path) => REPORT.exec(path)?.[1]).filter((env): env is string => env !== undefined).sort();
  const folders = [...new Set([...after.keys()].filter((path) => /\.ya?ml$/.test(path) && path.includes('/')).map((path) => path.split('/')[0]!))].sort();
  return {
    base,
    refused: planned.rejectedCount,
    plan: planned,
    validation: reports.map((env) => validationOf(env, before.get(`${env}/REPORT.md`), after.get(`${env}/REPORT.md`)!)),
    unrecorded: folders.filter((folder) => !reports.includes(folder)),
    placeholders: [...input.placeholders].map(([env, placeholders]) => ({ env, placeholders })),
    diff: semanticDiff(before, after),
  };
}
