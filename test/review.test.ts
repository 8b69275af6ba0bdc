import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeRef, Finding } from 'karpenter-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSITION } from '../compose';
import { prod } from '../config/environments/prod';
import type { EnvironmentConfig } from '../config/environment-config';
import { configPlaceholders } from '../lib/config/config-placeholders';
import { report } from '../lib/synth/report';
import { formatReviewJson, formatReviewMarkdown, formatReviewText, GITHUB_COMMENT_LIMIT, recordedFindings, review, REVIEW_MARKER, summaryOf } from '../lib/review';
import { buildAll, validateOptions } from '../lib/synth/synth';
import { validateEnvironment } from '../lib/synth/validate-environment';
import { copyProject, render } from './helpers';

const ROOT = resolve(__dirname, '..');

/** The change every part of the review is checked on: nodes drift, an update is refused, a workload scales further. */
const CHANGE = {
  // Narrowed to a type its nodes are not: Karpenter replaces them (the plan's drift).
  pool: "    'spark-exec-arm-ondemand': { instanceTypes: ['m7g.xlarge'] },\n",
  // A claim template grows: the API server refuses the update (the plan's refused updates).
  kafka: "    kafka: { settings: { storage: '200Gi' } },\n",
  // A workload setting: more Spark workers at peak, which costs more there.
  spark: ['maxReplicas: 20 } } }', 'maxReplicas: 24 } } }'],
} as const;

const changedProd: EnvironmentConfig = {
  ...prod,
  pools: { ...prod.pools, 'spark-exec-arm-ondemand': { instanceTypes: ['m7g.xlarge'] } },
  workloads: { ...prod.workloads, kafka: { settings: { storage: '200Gi' } }, spark: { components: { worker: { minReplicas: 5, maxReplicas: 24 } } } },
};

describe('the warnings and waivers synth recorded in REPORT.md', () => {
  it('reads back every warning and waiver lib/synth/report.ts writes, with its object, rule, path and message', () => {
    const [built] = [...buildAll(COMPOSITION, [prod])];
    const result = validateEnvironment(built!.manifests, validateOptions(built!));
    // prod waives the team's kube-reserved tuning and podman's privileged container.
    expect(result.waived.map((w) => w.rule)).toContain('kube-reserved');
    const extra: Finding[] = [
      { rule: 'placeholder-value', severity: 'warning', object: { kind: 'ConfigMap', namespace: 'jenkins', name: 'agents' }, path: 'data["a.yaml"]', message: 'a `code` span, <angle> brackets and [brackets]: kept' },
      { rule: 'probe', severity: 'warning', object: { kind: 'Namespace', name: 'ci' }, path: '', message: 'a message on two lines\nthe second' },
    ];
    const text = report(built!, { ...result, findings: [...result.findings, ...extra], warnings: result.warnings + extra.length });
    const recorded = recordedFindings(text);
    const fields = (e: { object?: string; rule?: string; path?: string; message?: string }) => ({ object: e.object, rule: e.rule, path: e.path, message: e.message });
    const warnings = [...result.findings.filter((f) => f.severity === 'warning'), ...extra];
    expect(recorded.warnings.map(fields)).toEqual(warnings.map((w) => ({ object: describeRef(w.object), rule: w.rule, path: w.path, message: w.message })));
    expect(recorded.waivers.map(fields)).toEqual(result.waived.map((w) => ({ object: describeRef(w.object), rule: w.rule, path: w.path, message: w.reason })));
  });

  it('keeps a bullet written in another form by its text, and finds none where the report says None', () => {
    expect(recordedFindings('## Validator warnings\n\n- something else entirely\n\n## Waivers\n\nNone.\n')).toEqual({ warnings: [{ text: 'something else entirely' }], waivers: [] });
    expect(recordedFindings('# dev\n\n## Validator warnings\n\nNone.\n\n## Waivers\n\nNone.\n')).toEqual({ warnings: [], waivers: [] });
    expect(recordedFindings('')).toEqual({ warnings: [], waivers: [] });
  });
});

describe('the review of a change (lib/review)', () => {
  const before = render([prod]);
  const after = render([changedProd]);
  const placeholders = new Map([[prod.name, configPlaceholders(prod)]]);
  const changed = review({ base: 'origin/main', before, after, placeholders });

  it('holds the plan, the object diff, the recorded findings and the placeholders, each as its own command computes it', () => {
    expect(changed.refused).toBe(1);
    expect(changed.plan.rejectedCount).toBe(1);
    expect(changed.diff.map((c) => `${c.env} ${c.kind} ${c.id} ${c.change}`)).toEqual([
      'prod HorizontalPodAutoscaler spark/spark-worker changed',
      'prod NodePool spark-exec-arm-ondemand changed',
      'prod PrometheusRule monitoring/karpenter changed',
      'prod StatefulSet kafka/kafka changed',
    ]);
    expect(changed.validation.map((v) => v.env)).toEqual(['prod']);
    expect(changed.unrecorded).toEqual(['argocd']);
    expect(changed.placeholders).toEqual([{ env: 'prod', placeholders: configPlaceholders(prod) }]);
  });

  it('sums each environment up: refused updates, nodes replaced, fleet cost, new findings, objects changed', () => {
    const [argocd, summary] = summaryOf(changed);
    expect(argocd).toMatchObject({ env: 'argocd', refused: 0, replaced: [], objectsChanged: 0 });
    expect(argocd!.cost).toBeUndefined();
    const drift = changed.plan.environments.find((e) => e.env === 'prod')!.drift.find((d) => d.pool === 'spark-exec-arm-ondemand')!;
    expect(summary).toMatchObject({ env: 'prod', refused: 1, replaced: [{ pool: 'spark-exec-arm-ondemand', atRest: drift.nodesAtRest, atPeak: drift.nodesAtPeak, removed: false }], newWarnings: 0, newWaivers: 0, objectsChanged: 4 });
    expect(drift.nodesAtRest).toBeGreaterThan(0);
    expect(summary!.cost!.after!.peak).toBeGreaterThan(summary!.cost!.before!.peak);
  });

  it('marks the warnings and waivers the base did not record as new, and lists those it no longer records', () => {
    const kubeReserved = /^- EC2NodeClass default waives \[kube-reserved\].*\n/m;
    const baseReport = before.get('prod/REPORT.md')!;
    expect(baseReport).toMatch(kubeReserved);
    const base = new Map(before);
    base.set('prod/REPORT.md', baseReport.replace(kubeReserved, '').replace('## Validator warnings\n\nNone.', '## Validator warnings\n\n- Deployment web/api: `spec.replicas` [replicas] one replica'));
    const reviewed = review({ base: 'origin/main', before: base, after, placeholders });
    const prodValidation = reviewed.validation[0]!;
    expect(prodValidation.waivers.filter((w) => w.new).map((w) => w.rule)).toEqual(['kube-reserved']);
    expect(prodValidation.waivers.filter((w) => !w.new).length).toBe(prodValidation.waivers.length - 1);
    expect(prodValidation.gone.warnings.map((w) => w.text)).toEqual(['Deployment web/api: `spec.replicas` [replicas] one replica']);
    expect(summaryOf(reviewed).find((s) => s.env === 'prod')).toMatchObject({ newWaivers: 1, newWarnings: 0 });
    const markdown = formatReviewMarkdown(reviewed);
    expect(markdown).toContain('**prod**: no warning; 5 waivers, 1 new; 1 no longer recorded.\n- **new** waiver: EC2NodeClass default waives [kube-reserved] at `spec.kubelet.kubeReserved.memory`: ');
    expect(markdown).toContain('- no longer: warning Deployment web/api: `spec.replicas` [replicas] one replica\n');
    expect(markdown).toContain('<details><summary>prod: 4 waivers as at <code>origin/main</code></summary>');
  });

  describe('as Markdown for a pull request comment', () => {
    const full = formatReviewMarkdown(changed, Number.MAX_SAFE_INTEGER);

    it('starts with the marker, then the headline, the summary and every part in full', () => {
      expect(full.split('\n')[0]).toBe(REVIEW_MARKER);
      expect(formatReviewMarkdown(changed)).toBe(full);
      expect(full).toContain('\n## Review against `origin/main`\n\n**✗ 1 update the cluster refuses (prod: StatefulSet kafka/kafka): ');
      expect(full).toMatch(/\n\| prod \| 1 \| [0-9]+ \/ [0-9]+ \(spark-exec-arm-ondemand\) \| \$[0-9.]+\/h \(\+\$0\.[0-9]+\) \| \$[0-9.]+\/h \(\+\$0\.[0-9]+\) \| 0 \| 0 \| 4 \|\n/);
      expect(full).toContain('Reminder: config/ still holds documentation placeholders (prod 6) to replace before a first sync, in config/environments/prod.ts, config/workloads.ts: each listed under *Placeholders to replace* in `dist/<env>/REPORT.md`.');
      expect(full).toContain('\n## Plan\n\n### prod\n#### Updates the cluster refuses\n- **StatefulSet kafka/kafka** `spec.volumeClaimTemplates[0].spec.resources.requests.storage`: changes from "100Gi" to "200Gi"');
      expect(full).toContain('- **spark-exec-arm-ondemand**: some nodes drift: ');
      expect(full).toContain('<details><summary><b>prod</b>: 4 objects (4 changed); Karpenter replaces nodes for one of them</summary>');
      expect(full).toContain('  - `spec.volumeClaimTemplates[0].spec.resources.requests.storage`: "100Gi" → "200Gi"');
      expect(full).not.toContain('Cut to fit');
    });

    it("writes < outside code as &lt;, which GitHub would otherwise drop as a tag: the way out names data-kafka-<ordinal>", () => {
      expect(full).toContain('kubectl -n kafka patch pvc data-kafka-&lt;ordinal> -p');
      expect(full).not.toContain('data-kafka-<ordinal>');
      // In code spans GitHub shows the text as it is: left alone.
      expect(full).toContain('`dist/<env>/REPORT.md`');
    });

    it('cuts the object diff first, its fields then all of it, then the warnings and waivers the base had, then the plan per pool, and says what and how to see it', () => {
      const fields = formatReviewMarkdown(changed, full.length - 1);
      expect(fields.length).toBeLessThan(full.length);
      expect(fields).toContain('> **Cut to fit a limit of ' + (full.length - 1).toLocaleString('en-US') + " characters (--max-chars)**: the object diff's fields (`npm run --silent diff -- origin/main --markdown`). All of it: `npm run --silent review -- origin/main --markdown`.");
      expect(fields).toContain('- `kafka/kafka` changed\n');
      expect(fields).not.toContain('"100Gi" → "200Gi"');

      const diff = formatReviewMarkdown(changed, fields.length - 1);
      expect(diff).toContain(': the object diff (`npm run --silent diff -- origin/main --markdown`)');
      expect(diff).not.toContain('<details><summary><b>prod</b>');
      expect(diff).toContain('\n## Object diff\n\nCut (the summary keeps the number of objects each environment changes)');
      // The validation's lists are whole.
      expect(diff).toContain('<details><summary>prod: 5 waivers as at <code>origin/main</code></summary>');

      const lists = formatReviewMarkdown(changed, diff.length - 1);
      expect(lists).toContain('; the warnings and waivers `origin/main` already recorded (each `dist/<env>/REPORT.md`)');
      expect(lists).toContain('- 5 waivers as at `origin/main`: cut, listed in `dist/prod/REPORT.md`');
      expect(lists).toContain('#### Cost (estimate)');

      const planned = formatReviewMarkdown(changed, lists.length - 1);
      expect(planned).toContain("; the plan's nodes and cost per pool (`npm run --silent plan -- origin/main --markdown`)");
      expect(planned).not.toContain('#### Cost (estimate)');
      // Refused updates are never cut, with their way out.
      expect(planned).toContain('- **prod: StatefulSet kafka/kafka** `spec.volumeClaimTemplates[0].spec.resources.requests.storage`: changes from "100Gi" to "200Gi"');
      expect(planned).toContain('kubectl delete statefulset kafka -n kafka --cascade=orphan');

      for (const [limit, text] of [[full.length - 1, fields], [fields.length - 1, diff], [diff.length - 1, lists], [lists.length - 1, planned]] as const) {
        expect(text.length).toBeLessThanOrEqual(limit);
        expect(text.split('\n')[0]).toBe(REVIEW_MARKER);
      }
    });

    it('cuts long lists of new findings to their first ten, saying how many more and where', () => {
      const many = Array.from({ length: 12 }, (_, i) => `- Deployment web/api-${String(i).padStart(2, '0')}: \`spec\` [probe] no probe`).join('\n');
      const withWarnings = new Map(after);
      withWarnings.set('prod/REPORT.md', after.get('prod/REPORT.md')!.replace('## Validator warnings\n\nNone.', `## Validator warnings\n\n${many}`));
      const long = review({ base: 'origin/main', before, after: withWarnings, placeholders });
      const whole = formatReviewMarkdown(long, Number.MAX_SAFE_INTEGER);
      expect(whole).toContain('api-11');
      // The first limit that takes the long lists: everything else already cut.
      let capped = '';
      for (let limit = whole.length; limit > 2000 && !capped.includes('past the first 10'); limit -= 200) capped = formatReviewMarkdown(long, limit);
      expect(capped).toContain('; new warnings and waivers past the first 10 of each list (each `dist/<env>/REPORT.md`)');
      expect(capped).toContain('- **new** warning: Deployment web/api-09: `spec` [probe] no probe\n- … and 2 more, in `dist/prod/REPORT.md`');
      expect(capped).not.toContain('api-10');
    });

    it('past every level, cuts the rest at a line, fitting still, and says where it stopped', () => {
      const tiny = formatReviewMarkdown(changed, 2000);
      expect(tiny.length).toBeLessThanOrEqual(2000);
      expect(tiny.split('\n')[0]).toBe(REVIEW_MARKER);
      expect(tiny).toContain('; everything past the first 2,000 characters. All of it: `npm run --silent review -- origin/main --markdown`.');
      expect(tiny).toMatch(/\n\n… cut here: `npm run --silent review -- origin\/main --markdown` prints the rest\.\n$/);
      // The headline and the summary come first and stay.
      expect(tiny).toContain('**✗ 1 update the cluster refuses (prod: StatefulSet kafka/kafka)');
      expect(tiny).toContain('| prod | 1 |');
      expect(GITHUB_COMMENT_LIMIT).toBe(65_536);
      expect(formatReviewMarkdown(changed, GITHUB_COMMENT_LIMIT)).not.toContain('limit of 65,536 characters (--max-chars)');
    });
  });

  it('writes text for a terminal: every part, nothing cut, no HTML', () => {
    const text = formatReviewText(changed);
    expect(text).toMatch(/^review against origin\/main\n✗ 1 update the cluster refuses \(prod: StatefulSet kafka\/kafka\): /);
    expect(text).toMatch(/\n {2}prod: 1 refused update; nodes replaced: [0-9]+ at rest, [0-9]+ at peak \(spark-exec-arm-ondemand\); fleet \$[0-9.]+\/h \(\+\$0\.[0-9]+\) at rest, \$[0-9.]+\/h \(\+\$0\.[0-9]+\) at peak; new warnings 0, new waivers 0; 4 objects changed\n/);
    expect(text).toContain('\n  argocd: 0 refused updates; nodes replaced: none; no pools; new warnings 0, new waivers 0; 0 objects changed\n');
    expect(text).toContain('\nPLAN (npm run plan)\n== prod\n updates the cluster refuses:\n');
    expect(text).toContain('\n    5 waivers as at origin/main:\n      waiver: EC2NodeClass default waives [kube-reserved]');
    expect(text).toContain('\nOBJECT DIFF (npm run diff)\n== prod\n');
    expect(text).toContain('spec.volumeClaimTemplates[0].spec.resources.requests.storage: "100Gi" -> "200Gi"');
    expect(text).not.toMatch(/<details>|&lt;|Cut to fit/);
  });

  it('names the refused updates in the headline while they are few, and counts them when many', () => {
    const prodPlan = changed.plan.environments.find((e) => e.env === 'prod')!;
    const refusing = (n: number) => ({
      ...changed,
      refused: n,
      plan: { ...changed.plan, rejectedCount: n, environments: changed.plan.environments.map((e) => (e === prodPlan ? { ...e, rejected: Array.from({ length: n }, () => prodPlan.rejected[0]!) } : e)) },
    });
    expect(formatReviewMarkdown(refusing(2))).toContain('**✗ 2 updates the cluster refuses (prod: StatefulSet kafka/kafka, StatefulSet kafka/kafka): Argo CD\'s sync would fail on them; the plan says the way out.**');
    expect(formatReviewMarkdown(refusing(6))).toContain('**✗ 6 updates the cluster refuses (prod: 6): Argo CD\'s sync would fail on them; the plan says the way out.**');
  });

  it('says there is nothing to refuse, replace or diff for a change that changes nothing', () => {
    const same = review({ base: 'HEAD', before, after: before, placeholders: new Map() });
    expect(same.refused).toBe(0);
    const markdown = formatReviewMarkdown(same);
    expect(markdown).toContain('\nNo update the cluster refuses.\n');
    expect(markdown).toContain('\n## Plan\n\nNo change to the fleet: no node drifts, no update is refused, cost is unchanged.\n');
    expect(markdown).toContain('\n## Object diff\n\nNo changes to the synthesized output.\n');
    expect(markdown).not.toContain('Reminder');
    expect(formatReviewText(same)).toContain('\nno update the cluster refuses\n');
    expect(JSON.parse(formatReviewJson(same))).toMatchObject({ base: 'HEAD', refused: 0, diff: [] });
  });
});

// ---------------------------------------------------------------------------------------------
// The command and the workflow, end to end, on a copy of the project in a git repository of its own.

const WORKFLOW = join(ROOT, '.github', 'workflows', 'review.yml');

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly id?: string;
  readonly if?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, unknown>;
}

const workflow = () => parse(readFileSync(WORKFLOW, 'utf8')) as { on: unknown; permissions: unknown; jobs: Record<string, { steps: Step[] }> };
const steps = () => Object.values(workflow().jobs).flatMap((job) => job.steps);

/**
 * The commands the workflow runs, as a test runs them: the step's line through bash as GitHub's
 * runner runs it (`bash -e`), with the step's environment, `${{ github.base_ref }}` being `main`.
 * `npm ci` is the one the test does not run: the copy links the project's node_modules.
 */
const COMMANDS = ['npm ci', 'npm run synth', 'npm run --silent review -- "origin/$BASE_REF" --markdown > review.md'];

// The children run npm on their own project: nothing of an outer `npm test` (its prefix, its
// package) may reach them.
const childEnv = (extra: Record<string, string> = {}) => ({ ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))), NO_UPDATE_NOTIFIER: '1', ...extra });

describe('the review workflow', () => {
  it('runs on pull requests with only the permissions a comment needs', () => {
    const w = workflow();
    expect(w.on).toEqual({ pull_request: null });
    expect(w.permissions).toEqual({ 'pull-requests': 'write', contents: 'read' });
  });

  it('runs exactly the commands the test below runs, in order', () => {
    expect(steps().flatMap((s) => (s.run === undefined ? [] : [s.run.trim()]))).toEqual(COMMANDS);
  });

  it('pins every action by its full commit with the version as a comment, checks out the whole history, and sets up Node 20', () => {
    const uses = readFileSync(WORKFLOW, 'utf8').split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
    expect(uses.map((l) => l.trim().replace(/^- /, ''))).toEqual([
      expect.stringMatching(/^uses: actions\/checkout@[0-9a-f]{40} # v[0-9]+\.[0-9]+\.[0-9]+$/),
      expect.stringMatching(/^uses: actions\/setup-node@[0-9a-f]{40} # v[0-9]+\.[0-9]+\.[0-9]+$/),
      expect.stringMatching(/^uses: actions\/setup-go@[0-9a-f]{40} # v[0-9]+\.[0-9]+\.[0-9]+$/),
      expect.stringMatching(/^uses: actions\/github-script@[0-9a-f]{40} # v[0-9]+\.[0-9]+\.[0-9]+$/),
    ]);
    const [checkout, node] = steps();
    expect(checkout!.with).toEqual({ 'fetch-depth': 0 });
    expect(node!.with).toMatchObject({ 'node-version': '20' });
  });

  it("posts the comment even when the review step fails (a refused update), and looks for the review's marker", () => {
    const post = steps().find((s) => s.uses?.startsWith('actions/github-script@'))!;
    expect(post.if).toBe("${{ !cancelled() && steps.review.outcome != 'skipped' }}");
    expect(steps().find((s) => s.id === 'review')!.run).toBe(COMMANDS[2]);
    expect(String(post.with!.script)).toContain(`const marker = '${REVIEW_MARKER}';`);
    // It reads the file the review step writes.
    expect(COMMANDS[2]!.endsWith(`> ${post.env!.REVIEW_FILE}`)).toBe(true);
  });
});

/** Runs the workflow's comment script as actions/github-script does (an async function of its arguments), against a fake GitHub. */
async function postComment(reviewFile: string, existing: { id: number; user: { login: string }; body: string }[]) {
  const post = steps().find((s) => s.uses?.startsWith('actions/github-script@'))!;
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const record = (method: string) => async (params: Record<string, unknown>) => {
    calls.push({ method, params });
    return { data: method === 'listComments' ? existing : {} };
  };
  const rest = { issues: { listComments: record('listComments'), updateComment: record('updateComment'), createComment: record('createComment') } };
  const github = { rest, paginate: async (method: (p: Record<string, unknown>) => Promise<{ data: unknown }>, params: Record<string, unknown>) => (await method(params)).data };
  const context = { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 } };
  const failures: string[] = [];
  const summaries: string[] = [];
  const core = { setFailed: (m: string) => failures.push(m), summary: { addRaw: (text: string) => ({ write: async () => summaries.push(text) }) } };
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
  const script = new AsyncFunction('github', 'context', 'core', 'require', 'process', String(post.with!.script));
  await script(github, context, core, require, { env: { ...post.env, REVIEW_FILE: reviewFile } });
  return { calls: calls.filter((c) => c.method !== 'listComments'), failures, summaries };
}

describe.sequential('npm run review on a pull request, in a git repository of its own', () => {
  let dir = '';
  let kafkaCommit = '';
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  const step = (line: string) => {
    const env = Object.fromEntries(Object.entries(steps().find((s) => s.run?.trim() === line)?.env ?? {}).map(([k, v]) => [k, v.replace('${{ github.base_ref }}', 'main')]));
    return spawnSync('bash', ['-e', '-c', line], { cwd: dir, encoding: 'utf8', env: childEnv(env), maxBuffer: 64 << 20 });
  };
  const reviewCli = (...args: string[]) => spawnSync(process.execPath, [join(dir, 'scripts', 'run.mjs'), 'review', ...args], { cwd: dir, encoding: 'utf8', env: childEnv(), maxBuffer: 64 << 20 });
  const edit = (from: string, to: string) => {
    const file = join(dir, 'config', 'environments', 'prod.ts');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(from);
    writeFileSync(file, text.replace(from, to));
  };
  const synth = () => {
    const result = step(COMMANDS[1]!);
    expect(result.status, result.stderr).toBe(0);
  };
  const commit = (message: string) => {
    git('add', 'dist', 'config');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD').trim();
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'review-'));
    copyProject(dir);
    // The project's other command bundles too, fresh by the build's record: the copy's first
    // synth then rebuilds only the bundles that read what the test changes.
    for (const file of readdirSync(join(ROOT, '.build')).filter((f) => /^(diff|plan|review|validate|verify|main)(\.bundle)?\.js(\.cache)?$/.test(f))) {
      cpSync(join(ROOT, '.build', file), join(dir, '.build', file), { preserveTimestamps: true });
    }
    git('init', '-q', '-b', 'feature');
    // The base branch, as a pull request's checkout with its whole history has it: origin/main.
    synth();
    git('update-ref', 'refs/remotes/origin/main', commit('base'));
    // A commit of the branch that only grows Kafka's claims; then, uncommitted, the rest of the change.
    edit('  workloads: {\n', `  workloads: {\n${CHANGE.kafka}`);
    synth();
    kafkaCommit = commit('kafka');
    edit('  pools: {\n', `  pools: {\n${CHANGE.pool}`);
    edit(CHANGE.spark[0], CHANGE.spark[1]);
    synth();
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is a script of package.json that runs the bundled command, as plan and diff are', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts.review).toBe('node scripts/run.mjs review');
    expect(scripts.plan).toBe('node scripts/run.mjs plan');
  });

  it("writes the workflow's review.md: exit 1 for the refused update, with the drifted pool, the way out, the cost and the diff", () => {
    const result = step(COMMANDS[2]!);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toBe('');
    const md = readFileSync(join(dir, 'review.md'), 'utf8');
    expect(md.split('\n')[0]).toBe(REVIEW_MARKER);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toContain('## Review against `origin/main`');
    // The plan: the refused update and its way out, the drifted pool, the cost delta.
    expect(md).toContain('**✗ 1 update the cluster refuses (prod: StatefulSet kafka/kafka)');
    expect(md).toContain('kubectl delete statefulset kafka -n kafka --cascade=orphan');
    expect(md).toMatch(/- \*\*spark-exec-arm-ondemand\*\*: some nodes drift: [1-9][0-9]* at rest/);
    expect(md).toMatch(/\| spark-exec-arm-ondemand \| \$[0-9.]+ \| \$[0-9.]+ \| \$[0-9.]+ \| \+\$0\.[0-9]+ \| \+\$0\.[0-9]+ \|/);
    // The validation, the placeholders, the diff collapsed per environment.
    expect(md).toContain('**prod**: no warning; 5 waivers, 0 new.');
    expect(md).toContain('Reminder: config/ still holds documentation placeholders (dev 6, prod 6)');
    expect(md).toContain('<details><summary><b>prod</b>: 4 objects (4 changed)');
    expect(md).toContain('- `spark/spark-worker` changed\n  - `spec.maxReplicas`: 20 → 24');
    // Nothing that changes between runs: the same document twice.
    expect(step(COMMANDS[2]!).status).toBe(1);
    expect(readFileSync(join(dir, 'review.md'), 'utf8')).toBe(md);
  });

  it("is posted by the workflow's script as one comment: created once, then updated, never a person's", async () => {
    const file = join(dir, 'review.md');
    const body = readFileSync(file, 'utf8');
    const first = await postComment(file, [{ id: 1, user: { login: 'someone' }, body: `quoting ${REVIEW_MARKER}` }]);
    expect(first.calls).toEqual([{ method: 'createComment', params: { owner: 'o', repo: 'r', issue_number: 7, body } }]);
    expect(first.summaries).toEqual([body]);
    const again = await postComment(file, [
      { id: 1, user: { login: 'someone' }, body: `${REVIEW_MARKER}\nmine, says a person` },
      { id: 2, user: { login: 'github-actions[bot]' }, body: `${REVIEW_MARKER}\nan older review` },
    ]);
    expect(again.calls).toEqual([{ method: 'updateComment', params: { owner: 'o', repo: 'r', comment_id: 2, body } }]);
    // A review step that failed before writing (exit 2): no comment, the step fails saying so.
    writeFileSync(join(dir, 'empty.md'), '');
    const none = await postComment(join(dir, 'empty.md'), []);
    expect(none.calls).toEqual([]);
    expect(none.failures).toEqual([`${join(dir, 'empty.md')} holds no review: the review step failed before writing one (its log says why)`]);
  });

  it('exits 0 for a change the cluster accepts: the pool narrowed and the workers scaled, against the commit that grew the claims', () => {
    const result = reviewCli(kafkaCommit, '--markdown');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('\nNo update the cluster refuses.\n');
    expect(result.stdout).toContain('- **spark-exec-arm-ondemand**: some nodes drift');
    expect(result.stdout).not.toContain('kafka/kafka');
  });

  it('prints one JSON object with the same parts', () => {
    const result = reviewCli('origin/main', '--format', 'json');
    expect(result.status, result.stderr).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(Object.keys(json)).toEqual(['base', 'refused', 'summary', 'plan', 'validation', 'unrecorded', 'placeholders', 'diff']);
    expect(json).toMatchObject({ base: 'origin/main', refused: 1, unrecorded: ['argocd'] });
    expect(json.summary.map((s: { env: string }) => s.env)).toEqual(['argocd', 'dev', 'prod']);
    expect(json.plan.rejectedCount).toBe(1);
    expect(json.plan.environments.find((e: { env: string }) => e.env === 'prod').rejected[0]).toMatchObject({ kind: 'StatefulSet', name: 'kafka/kafka' });
    expect(json.validation.map((v: { env: string; report: string }) => `${v.env} ${v.report}`)).toEqual(['dev dist/dev/REPORT.md', 'prod dist/prod/REPORT.md']);
    expect(json.validation[1].waivers[0]).toMatchObject({ object: 'EC2NodeClass default', rule: 'kube-reserved', path: 'spec.kubelet.kubeReserved.memory', new: false });
    expect(json.placeholders.map((p: { env: string; placeholders: unknown[] }) => `${p.env} ${p.placeholders.length}`)).toEqual(['dev 6', 'prod 6']);
    expect(json.diff.find((c: { kind: string }) => c.kind === 'StatefulSet')).toMatchObject({ env: 'prod', id: 'kafka/kafka', fields: [{ path: 'spec.volumeClaimTemplates[0].spec.resources.requests.storage', before: '100Gi', after: '200Gi' }] });
  });

  it('fits a smaller limit given with --max-chars, saying what it cut and how to see it', () => {
    const result = reviewCli('origin/main', '--markdown', '--max-chars', '3000');
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout.length).toBeLessThanOrEqual(3000);
    expect(result.stdout.split('\n')[0]).toBe(REVIEW_MARKER);
    expect(result.stdout).toContain('> **Cut to fit a limit of 3,000 characters (--max-chars)**: the object diff (`npm run --silent diff -- origin/main --markdown`)');
  });

  it('exits 2 for bad arguments: no ref, two refs, --max-chars without --markdown or too small', () => {
    const none = reviewCli();
    expect([none.status, none.stderr.split('\n')[0]]).toEqual([2, 'no git ref given: the base to compare dist/ with (a branch such as origin/main, a tag or a commit)']);
    expect(none.stderr).toContain('usage: npm run --silent review -- <base-ref>');
    const two = reviewCli('origin/main', 'HEAD');
    expect([two.status, two.stderr.split('\n')[0]]).toEqual([2, 'one git ref at most (got origin/main, HEAD)']);
    const json = reviewCli('origin/main', '--format', 'json', '--max-chars', '5000');
    expect([json.status, json.stderr.split('\n')[0]]).toEqual([2, "'--max-chars' (5000) applies to --markdown only: text and JSON are never cut"]);
    const small = reviewCli('origin/main', '--markdown', '--max-chars=10');
    expect([small.status, small.stderr.split('\n')[0]]).toEqual([2, `'--max-chars' ("10") must be a whole number of characters, at least 2000`]);
    const help = reviewCli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run --silent review -- <base-ref> \[--markdown \[--max-chars <n>\] \| --format json\]\n/);
  });

  it('exits 2 for a ref git does not know, and says so in JSON when asked for JSON', () => {
    const missing = reviewCli('origin/no-such-branch', '--markdown');
    expect([missing.status, missing.stderr.trim(), missing.stdout]).toEqual([2, "'origin/no-such-branch' is not a commit git knows (a branch, tag or commit hash): nothing to compare dist/ with", '']);
    const json = reviewCli('origin/no-such-branch', '--format', 'json');
    expect([json.status, JSON.parse(json.stdout)]).toEqual([2, { error: "'origin/no-such-branch' is not a commit git knows (a branch, tag or commit hash): nothing to compare dist/ with", exitCode: 2 }]);
  });

  // Last: it leaves the copy's dist/ stale.
  it('exits 2 for a dist/ not synthesized from the code as it is, and writes no review', () => {
    edit(CHANGE.spark[1], 'maxReplicas: 25 } } }');
    const result = step(COMMANDS[2]!);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('dist/ is stale: it was not synthesized from the code as it is now (dist/.synthesized-from differs). Run npm run synth first');
    expect(readFileSync(join(dir, 'review.md'), 'utf8')).toBe('');
  });
});
