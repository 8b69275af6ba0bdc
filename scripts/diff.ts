// `npm run diff [-- <git-ref>] [--markdown]`: what the synthesized dist/ changes against a ref
// (default HEAD), object by object and field by field. Run `npm run synth` first.
// Exit status: 0 printed (or --help); 2 the ref or dist/ is missing, dist/ is stale against the
// code or unreadable, or the arguments are wrong.
import { formatDiff, semanticDiff } from '../lib/diff';
import { DistError, distAt, currentDist } from '../lib/dist-files';

const USAGE = `usage: npm run --silent diff -- [<git-ref>] [--markdown]

Compares the synthesized dist/ with the one committed at <git-ref> (default HEAD), object by
object and field by field. Run npm run synth first: a dist/ not synthesized from the code as it
is now is refused.

  --markdown   Markdown, for a pull request comment
  --help, -h   this text

exit status: 0 printed; 2 an unknown ref, a missing, stale or unreadable dist/, or bad arguments`;

function main(args: readonly string[]): number {
  let markdown = false;
  const refs: string[] = [];
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return 0;
    }
    if (arg === '--markdown') markdown = true;
    else if (arg.startsWith('-')) {
      console.error(`unknown option '${arg}'\n\n${USAGE}`);
      return 2;
    } else refs.push(arg);
  }
  if (refs.length > 1) {
    console.error(`one git ref at most (got ${refs.join(', ')})\n\n${USAGE}`);
    return 2;
  }
  try {
    // The ref first: a mistyped one is the user's to fix whatever state dist/ is in.
    const before = distAt(refs[0] ?? 'HEAD');
    // Run bundled from .build/, beside the source hash the build recorded.
    const after = currentDist('dist', __dirname);
    process.stdout.write(formatDiff(semanticDiff(before, after), markdown));
    return 0;
  } catch (error) {
    if (!(error instanceof DistError)) throw error;
    console.error(error.message);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
