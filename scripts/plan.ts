// `npm run plan [-- <git-ref>] [--markdown | --format json]`: what the synthesized dist/ will do to
// the fleet against a ref (default HEAD): nodes Karpenter replaces and how long that takes under the
// budgets, updates the cluster would refuse, and cost per pool. Run `npm run synth` first.
// Exit status: 0 the plan holds, 1 an update would be refused, 2 the ref or dist/ is missing, or
// dist/ is stale against the code or unreadable (lib/synth/dist-files.ts reads it as kubectl does), or
// the arguments are wrong.
import { plan } from '../lib/plan';
import { formatPlan, formatPlanJson } from '../lib/plan/format';
import { planStatus, runCompare } from './compare-command';

const USAGE = `usage: npm run --silent plan -- [<git-ref>] [--markdown | --format json]

What the synthesized dist/ will do to the fleet against the dist/ committed at <git-ref> (default
HEAD): nodes Karpenter replaces and how long that takes, updates the cluster refuses, cost per
pool. Run npm run synth first: a dist/ not synthesized from the code as it is now is refused.

  --markdown      Markdown, for a pull request comment
  --format json   JSON (errors too, as {"error", "exitCode"})
  --help, -h      this text

exit status: 0 the plan holds; 1 an update the cluster refuses; 2 an unknown ref, a missing, stale
or unreadable dist/, or bad arguments`;

process.exitCode = runCompare(
  {
    usage: USAGE,
    formats: ['text', 'markdown', 'json'],
    defaultRef: 'HEAD',
    run: ({ before, after }, { format }) => {
      const result = plan(before, after);
      return { output: format === 'json' ? formatPlanJson(result) : formatPlan(result, format === 'markdown'), status: planStatus(result) };
    },
  },
  process.argv.slice(2),
  // Run bundled from .build/, beside the source hash the build recorded.
  __dirname,
);
