// `npm run diff [-- <git-ref>] [--markdown]`: what the synthesized dist/ changes against a ref
// (default HEAD), object by object and field by field. Run `npm run synth` first.
// Exit status: 0 printed, 2 the ref or dist/ is missing, or dist/ is stale against the code.
import { formatDiff, semanticDiff } from '../lib/diff';
import { DistError, distAt, currentDist } from '../lib/dist-files';

function main(args: readonly string[]): number {
  const markdown = args.includes('--markdown');
  const ref = args.find((a) => !a.startsWith('--')) ?? 'HEAD';
  try {
    const before = distAt(ref);
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
