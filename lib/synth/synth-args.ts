/**
 * What `npm run synth` does with its arguments. It takes none: every environment of
 * config/environments/ is synthesized at once, since dist/argocd/ (the AppProject permits every
 * environment's destinations and kinds) and dist/.synthesized-from (plan and diff compare it
 * with the code) describe all of them, and a dist/ with one environment newer than the rest
 * would be neither. So `--help` prints how to use it, and anything else is refused before
 * anything is built: dist/ is never touched by a command that was not understood.
 */

export const SYNTH_USAGE = `usage: npm run synth [-- --help]

Synthesizes every environment of config/environments/ into dist/<env>/ and dist/argocd/,
validated; on any error dist/ is left exactly as it was. It takes no environment name: dist/argocd/
and dist/.synthesized-from cover every environment, so they are always rendered together.

exit status: 0 synthesized; 1 a mistake in config or a validation error; 2 bad arguments or an internal error`;

/** The outcome of reading synth's arguments: run, print the usage, or refuse with a message (exit 2). */
export type SynthArgs = { readonly run: true } | { readonly help: string } | { readonly error: string };

/** Reads synth's arguments (`process.argv.slice(2)`); `environments` are the names an argument may mean. */
export function synthArgs(args: readonly string[], environments: readonly string[]): SynthArgs {
  if (args.length === 0) return { run: true };
  if (args.includes('--help') || args.includes('-h')) return { help: SYNTH_USAGE };
  const arg = args[0]!;
  if (environments.includes(arg)) {
    return {
      error: `'${arg}' is an environment, and synth renders every environment at once (${environments.join(', ')}): dist/argocd/ and dist/.synthesized-from cover them all, so one alone would leave them wrong. Run npm run synth without arguments; dist/ was not touched\n\n${SYNTH_USAGE}`,
    };
  }
  const what = arg.startsWith('-') ? 'option' : 'argument';
  return { error: `unknown ${what} '${arg}': synth takes no ${what}s; dist/ was not touched\n\n${SYNTH_USAGE}` };
}
