// `npm run diff [-- <git-ref>] [--markdown]`: what the synthesized dist/ changes against a ref
// (default HEAD), object by object and field by field. Run `npm run synth` first.
// Exit status: 0 printed (or --help); 2 the ref or dist/ is missing, dist/ is stale against the
// code or unreadable, or the arguments are wrong.
import { formatDiff, semanticDiff } from '../lib/plan/diff';
import { runCompare } from './compare-command';

const USAGE = `usage: npm run --silent diff -- [<git-ref>] [--markdown]

Compares the synthesized dist/ with the one committed at <git-ref> (default HEAD), object by
object and field by field. Run npm run synth first: a dist/ not synthesized from the code as it
is now is refused.

  --markdown   Markdown, for a pull request comment
  --help, -h   this text

exit status: 0 printed; 2 an unknown ref, a missing, stale or unreadable dist/, or bad arguments`;

process.exitCode = runCompare(
  {
    usage: USAGE,
    formats: ['text', 'markdown'],
    defaultRef: 'HEAD',
    run: ({ before, after }, { format }) => ({ output: formatDiff(semanticDiff(before, after), format === 'markdown'), status: 0 }),
  },
  process.argv.slice(2),
  // Run bundled from .build/, beside the source hash the build recorded.
  __dirname,
);
