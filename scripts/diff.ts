// `npm run diff [-- <git-ref>] [--markdown]`: what the synthesized dist/ changes against a ref
// (default HEAD), object by object and field by field. Run `npm run synth` first.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiff, semanticDiff } from '../lib/diff';

const args = process.argv.slice(2);
const markdown = args.includes('--markdown');
const ref = args.find((a) => !a.startsWith('--')) ?? 'HEAD';

const before = new Map<string, string>();
const listed = execFileSync('git', ['ls-tree', '-r', '--name-only', ref, '--', 'dist/'], { encoding: 'utf8' }).split('\n').filter(Boolean);
for (const path of listed) before.set(path.slice('dist/'.length), execFileSync('git', ['show', `${ref}:${path}`], { encoding: 'utf8', maxBuffer: 1 << 28 }));

const after = new Map<string, string>();
for (const entry of readdirSync('dist', { recursive: true, withFileTypes: true })) {
  if (entry.isFile()) {
    const path = join(entry.parentPath, entry.name);
    after.set(path.slice('dist/'.length), readFileSync(path, 'utf8'));
  }
}
process.stdout.write(formatDiff(semanticDiff(before, after), markdown));
