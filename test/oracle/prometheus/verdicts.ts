import { checkPromql } from '../../../packages/karpenter-validate/src/monitoring/promql';
import { validate } from '../../../packages/karpenter-validate/src/validation';

/** What Prometheus' parsers said (oracle/prometheus). */
export interface Recorded {
  readonly prometheus: string;
  readonly seed: number;
  readonly queries: readonly { readonly name: string; readonly query: string; readonly error: string }[];
  readonly rules: readonly { readonly name: string; readonly spec: Record<string, any>; readonly errors: readonly string[] }[];
}

/** Problems of a query that are not Prometheus' to judge: a metric name Karpenter does not export parses. */
const NOT_PROMETHEUS = /is not one Karpenter [\d.]+ exports/;

/** Whether our promql rule refuses a query as Prometheus' parser would (its own metric-name check aside). */
export function ourQueryRefusal(query: string): string | undefined {
  const problems = checkPromql(query).filter((p) => !NOT_PROMETHEUS.test(p.message));
  return problems.length > 0 ? problems.map((p) => p.message).join('; ') : undefined;
}

const API_SERVER_RULES = new Set(['schema', 'cel', 'unknown-field']);

/** Whether the API server (our schema rules), or else our promql rule, refuses a PrometheusRule with this spec. */
export function ourRuleRefusal(spec: Record<string, any>): { apiServer: boolean; refusal: string | undefined } {
  const object = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'karpenter', namespace: 'monitoring' }, spec };
  const findings = validate([{ object }]).findings.filter((f) => f.severity === 'error');
  if (findings.some((f) => API_SERVER_RULES.has(f.rule))) return { apiServer: true, refusal: findings.map((f) => `${f.rule} ${f.path}: ${f.message}`).join('; ') };
  const refusals = findings.filter((f) => f.rule === 'promql' && !NOT_PROMETHEUS.test(f.message));
  return { apiServer: false, refusal: refusals.length > 0 ? refusals.map((f) => `${f.path}: ${f.message}`).join('; ') : undefined };
}

/** Every query and rule case where our verdict (refused or not) differs from Prometheus'. */
export function disagreements(recorded: Recorded): string[] {
  const out: string[] = [];
  for (const q of recorded.queries) {
    const ours = ourQueryRefusal(q.query);
    if ((ours !== undefined) !== (q.error !== '')) out.push(`${q.name} ${JSON.stringify(q.query)}: Prometheus ${q.error ? `refuses (${q.error})` : 'accepts'}, we ${ours ? `refuse (${ours})` : 'accept'}`);
  }
  for (const r of recorded.rules) {
    const { apiServer, refusal } = ourRuleRefusal(r.spec);
    if (apiServer) continue;
    if ((refusal !== undefined) !== (r.errors.length > 0)) out.push(`${r.name}: Prometheus ${r.errors.length > 0 ? `refuses (${r.errors.join('; ')})` : 'accepts'}, we ${refusal ? `refuse (${refusal})` : 'accept'}`);
  }
  return out;
}
