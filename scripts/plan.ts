// `npm run plan [-- <git-ref>] [--markdown | --format json]`: what the synthesized dist/ will do to
// the fleet against a ref (default HEAD): nodes Karpenter replaces and how long that takes under the
// budgets, updates the cluster would refuse, and cost per pool. Run `npm run synth` first.
// Exit status: 0 the plan holds, 1 an update would be refused, 2 the ref or dist/ is missing, or
// dist/ is stale against the code or unreadable (lib/dist-files.ts reads it as kubectl does), or
// the arguments are wrong.
import { DistError, distAt, currentDist } from '../lib/dist-files';
import { plan } from '../lib/plan';
import { formatPlan, formatPlanJson } from '../lib/plan/format';

const USAGE = `usage: npm run --silent plan -- [<git-ref>] [--markdown | --format json]

What the synthesized dist/ will do to the fleet against the dist/ committed at <git-ref> (default
HEAD): nodes Karpenter replaces and how long that takes, updates the cluster refuses, cost per
pool. Run npm run synth first: a dist/ not synthesized from the code as it is now is refused.

  --markdown      Markdown, for a pull request comment
  --format json   JSON (errors too, as {"error", "exitCode"})
  --help, -h      this text

exit status: 0 the plan holds; 1 an update the cluster refuses; 2 an unknown ref, a missing, stale
or unreadable dist/, or bad arguments`;

function main(args: readonly string[]): number {
  let format: 'text' | 'markdown' | 'json' = 'text';
  const refs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--markdown') format = 'markdown';
    else if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg.includes('=') ? arg.slice('--format='.length) : args[++i];
      if (value !== 'json' && value !== 'text' && value !== 'markdown') {
        console.error(`'--format' (${JSON.stringify(value ?? '')}) must be text, markdown or json\n${USAGE}`);
        return 2;
      }
      format = value;
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return 0;
    } else if (arg.startsWith('-')) {
      console.error(`unknown option '${arg}'\n${USAGE}`);
      return 2;
    } else refs.push(arg);
  }
  if (refs.length > 1) {
    console.error(`one git ref at most (got ${refs.join(', ')})\n${USAGE}`);
    return 2;
  }
  try {
    // The ref first: a mistyped one is the user's to fix whatever state dist/ is in.
    const before = distAt(refs[0] ?? 'HEAD');
    // Run bundled from .build/, beside the source hash the build recorded.
    const after = currentDist('dist', __dirname);
    const result = plan(before, after);
    process.stdout.write(format === 'json' ? formatPlanJson(result) : formatPlan(result, format === 'markdown'));
    return result.rejectedCount > 0 ? 1 : 0;
  } catch (error) {
    if (!(error instanceof DistError)) throw error;
    if (format === 'json') console.log(JSON.stringify({ error: error.message, exitCode: 2 }));
    else console.error(error.message);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
