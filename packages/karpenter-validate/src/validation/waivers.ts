import { child, Finding, KubeObject, Reporter } from './findings';
import { objectOr, podOf } from './pods';
import { RULE_CATALOG, WAIVER_PREFIX } from './rules';

/** The waivers an object declares (on itself or its pod template), by rule id, with their reasons. */
export function waiversOf(object: KubeObject, reporter: Reporter): Map<string, string> {
  const waivers = new Map<string, string>();
  const sources: [string, Record<string, unknown>][] = [['metadata.annotations', objectOr(objectOr(object.metadata).annotations)]];
  const pod = podOf(object);
  if (pod && object.kind !== 'Pod') sources.push([pod.path.replace(/\.spec$/, '.metadata.annotations'), pod.annotations]);
  for (const [path, annotations] of sources) {
    for (const [key, reason] of Object.entries(annotations)) {
      if (!key.startsWith(WAIVER_PREFIX)) continue;
      const id = key.slice(WAIVER_PREFIX.length);
      const rule = RULE_CATALOG.get(id);
      if (!rule) reporter.report('waiver', child(path, key), `waives "${id}", which is not a rule id (see src/validation/rules.ts)`, key);
      else if (rule.layer !== 'policy' || id === 'waiver') reporter.report('waiver', child(path, key), `waives "${id}", which is not a policy rule: only policy rules can be waived`, key);
      else if (typeof reason !== 'string' || reason.trim().length < 10) reporter.report('waiver', child(path, key), 'must give the reason for the waiver (at least 10 characters)', reason);
      else waivers.set(id, reason.trim());
    }
  }
  return waivers;
}

/** Splits findings into those that stand and those an object's waivers cover. */
export function applyWaivers(findings: readonly Finding[], waivers: ReadonlyMap<string, string>): { kept: Finding[]; waived: Finding[] } {
  const kept: Finding[] = [];
  const waived: Finding[] = [];
  for (const finding of findings) (waivers.has(finding.rule) ? waived : kept).push(finding);
  return { kept, waived };
}
