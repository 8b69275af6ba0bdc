// `npm run review -- <base-ref> [--markdown | --format json]`: one document for the reviewer of a
// pull request (lib/review): the plan, the validator's warnings and waivers synth recorded, the
// placeholders still in config/ and the object diff, of the synthesized dist/ against the dist/
// committed at <base-ref>. The workflow .github/workflows/review.yml posts its Markdown as one
// comment, kept up to date. Run `npm run synth` first.
// Exit status: 0 nothing refused; 1 an update the cluster refuses (as plan); 2 no ref or an
// unknown one, a missing, stale or unreadable dist/, or wrong arguments.
import { ENVIRONMENTS } from '../config/environments';
import { configPlaceholders } from '../lib/config/config-placeholders';
import { formatReviewJson, formatReviewMarkdown, formatReviewText, GITHUB_COMMENT_LIMIT, review, REVIEW_MARKER } from '../lib/review';
import { planStatus, runCompare, UsageError } from './compare-command';

// Room for the marker, the headline, the note on what was cut and the summary: below it a limit
// leaves nothing a reviewer can act on.
const MIN_CHARS = 2000;

const USAGE = `usage: npm run --silent review -- <base-ref> [--markdown [--max-chars <n>] | --format json]

One document for the reviewer of a change: the synthesized dist/ against the dist/ committed at
<base-ref> (the branch the change merges into, e.g. origin/main). The plan (nodes Karpenter
replaces, updates the cluster refuses, cost), the validator's warnings and waivers as synth
recorded them (those <base-ref> did not have marked new), the placeholders still in config/,
and the object diff per environment. Run npm run synth first: a dist/ not synthesized from the
code as it is now is refused.

  --markdown        Markdown for a pull request comment. Its first line is the marker
                    ${REVIEW_MARKER}, by which a workflow finds the comment it
                    posted. It fits GitHub's limit of ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')} characters: the object diff is cut
                    first, then long lists, then the plan's nodes and cost per pool, and a note
                    under the headline says what was cut and which command prints it
  --max-chars <n>   with --markdown, another limit (another CI host's, a test's); at least ${MIN_CHARS}
  --format json     one JSON object with the same parts, nothing cut (errors too, as
                    {"error", "exitCode"})
  --help, -h        this text

exit status: 0 nothing refused; 1 an update the cluster refuses (as npm run plan); 2 no ref or
an unknown one, a missing, stale or unreadable dist/, or bad arguments`;

/** The limit asked for, or GitHub's. */
function maxChars(options: ReadonlyMap<string, string>): number {
  const given = options.get('--max-chars');
  if (given === undefined) return GITHUB_COMMENT_LIMIT;
  return Number(given);
}

process.exitCode = runCompare(
  {
    usage: USAGE,
    formats: ['text', 'markdown', 'json'],
    valueOptions: ['--max-chars'],
    check: ({ format, options }) => {
      const given = options.get('--max-chars');
      if (given === undefined) return;
      if (format !== 'markdown') throw new UsageError(`'--max-chars' (${given}) applies to --markdown only: text and JSON are never cut`);
      if (!/^[0-9]+$/.test(given) || Number(given) < MIN_CHARS) throw new UsageError(`'--max-chars' (${JSON.stringify(given)}) must be a whole number of characters, at least ${MIN_CHARS}`);
    },
    run: ({ before, after }, { ref, format, options }) => {
      const placeholders = new Map(ENVIRONMENTS.map((env) => [env.name, configPlaceholders(env)]));
      const result = review({ base: ref, before, after, placeholders });
      const output = format === 'json' ? formatReviewJson(result) : format === 'markdown' ? formatReviewMarkdown(result, maxChars(options)) : formatReviewText(result);
      return { output, status: planStatus(result.plan) };
    },
  },
  process.argv.slice(2),
  // Run bundled from .build/, beside the source hash the build recorded.
  __dirname,
);
