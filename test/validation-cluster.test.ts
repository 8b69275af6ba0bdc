import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { prod } from '../config/environments/prod';
import { ValidationError } from '../lib/synth/synth';
import { render as renderAll, synth as synthEnvironment } from './helpers';
import { startValidatorThread, startValidatorThreadEarly } from '../lib/synth/validator-thread';
import { validatorOnThisThread } from '../lib/synth/validate-environment';
import { allocatable } from '../packages/karpenter-validate/src/validation/overhead';
import { RULE_CATALOG } from '../packages/karpenter-validate/src/validation/rules';
import { instanceType } from '../packages/karpenter-validate/src/catalog';
import { embeddedPods } from '../packages/karpenter-validate/src/validation/embedded';
import { changed, findings, lines, pick, validSet } from './validation-helpers';

const deployment = (set: any[]) => pick(set, 'Deployment', 'api');
const pod = (set: any[]) => deployment(set).spec.template.spec;
const pool = (set: any[]) => pick(set, 'NodePool', 'general');

describe("Karpenter's overhead", () => {
  it('computes allocatable resources as Karpenter does for t4g.medium', () => {
    const { capacity, allocatable: free } = allocatable(instanceType('t4g.medium')!);
    // 4096 MiB less Graviton's 64 MiB of CMA, less ceil(7.5%) = 303 MiB; kube-reserved 60m + 10m
    // of the two cores and 11 MiB x 17 pods + 255 MiB; 100Mi eviction; 17Gi of the default 20Gi root.
    expect(capacity.memory / 2 ** 20).toBe(3729);
    expect(free.cpu).toBeCloseTo(1.93, 5);
    expect(free.memory / 2 ** 20).toBe(3729 - (11 * 17 + 255) - 100);
    expect(free.ephemeralStorage / 2 ** 30).toBeCloseTo(20 - 1 - 2, 5);
  });

  it("uses the node class's kubelet settings and rootVolume when it has them", () => {
    const { allocatable: free } = allocatable(instanceType('m7g.xlarge')!, { maxPods: 110, kubeReserved: { cpu: '200m', memory: '1Gi' }, systemReserved: { memory: '100Mi' }, evictionHard: { 'memory.available': '5%' } }, 100 * 2 ** 30);
    expect(free.cpu).toBeCloseTo(3.8, 5);
    const capacity = 16320 - Math.ceil(16320 * 0.075);
    expect(free.memory / 2 ** 20).toBeCloseTo(capacity - 1024 - 100 - capacity * 0.05, 1);
    expect(free.ephemeralStorage / 2 ** 30).toBeCloseTo(100 - 1 - 10, 5);
    expect(free.pods).toBe(110);
  });
});

describe('placement and fit across the set', () => {
  it("refuses the documents' LLM pod on t4g.medium at synth, saying which resources are short and by how much", () => {
    const env = { ...prod, pools: { ...prod.pools, 'llm-arm-ondemand': { instanceTypes: ['t4g.medium'] }, 'llm-arm-spot': { instanceTypes: ['t4g.medium'] } } };
    expect(() => synthEnvironment(env)).toThrow(ValidationError);
    expect(() => synthEnvironment(env)).toThrow(
      'requests (2000m CPU, 3.5Gi memory) do not fit any instance type of NodePool "llm-arm-ondemand": the largest, t4g.medium (2 vCPU, 4Gi), leaves 1805m CPU, 3.11Gi memory for pods after Karpenter\'s overhead (7.5% VM memory, kube-reserved for 17 pods, eviction threshold) and DaemonSets (125m CPU, 0Gi memory); CPU short by 195m, memory short by 0.39Gi',
    );
  });

  it('only warns when the pod fits another of its pools', () => {
    const found = findings(
      changed((s) => {
        const small = structuredClone(pool(s));
        small.metadata.name = 'small';
        small.spec.template.spec.requirements.find((r: any) => r.key === 'node.kubernetes.io/instance-type').values = ['t4g.small'];
        s.push(small);
        deployment(s).metadata.annotations['karpenter-as-code.io/pools'] = 'general,small';
        Object.assign(pod(s).containers[0].resources, { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2Gi' } });
      }),
    ).filter((f) => f.rule === 'fits-instance');
    expect(found.map((f) => `${f.severity} ${f.message.slice(0, 80)}`)).toEqual(['warning requests (500m CPU, 2Gi memory) do not fit any instance type of NodePool "small"']);
  });

  it("counts the set's DaemonSets that run on the pool against the room left for pods", () => {
    const found = lines(
      findings(
        changed((s) =>
          s.push({
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            metadata: { name: 'agent', namespace: 'web' },
            spec: {
              selector: { matchLabels: { app: 'agent' } },
              template: {
                metadata: { labels: { app: 'agent' } },
                spec: { tolerations: [{ operator: 'Exists' }], securityContext: { runAsNonRoot: true, runAsUser: 1 }, containers: [{ name: 'agent', image: 'agent:1.0', resources: { requests: { cpu: '3700m', memory: '100Mi' }, limits: { memory: '100Mi' } }, livenessProbe: { exec: { command: ['true'] } } }] },
              },
            },
          }),
        ),
      ),
      'fits-instance',
    ).filter((line) => line.includes('Deployment/api'));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('and DaemonSets (3825m CPU, 0.1Gi memory); CPU short by');
  });

  it('reports a pod that can also land on a pool it is not meant for', () => {
    const found = lines(
      findings(
        changed((s) => {
          const twin = structuredClone(pool(s));
          twin.metadata.name = 'batch';
          s.push(twin);
        }),
      ),
      'placement',
    );
    expect(found).toEqual([
      'placement Deployment/api spec.template.spec: can also land on NodePool "batch", which it is not meant for (karpenter-as-code.io/pools: general): narrow its node selector or taint that pool',
    ]);
  });

  it('matches required node affinity and tolerations as the scheduler does', () => {
    const affinity = (operator: string, values: string[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator, values }] }] } } });
    expect(lines(findings(changed((s) => (pod(s).affinity = affinity('In', ['spot'])))), 'placement')).toEqual([
      'placement Deployment/api spec.template.spec: can land on none of the 1 NodePools, so its pods stay Pending: "general": no required node affinity term matches its nodes',
    ]);
    expect(lines(findings(changed((s) => (pod(s).affinity = affinity('NotIn', ['spot'])))), 'placement')).toEqual([]);
    expect(lines(findings(changed((s) => (pod(s).tolerations = [{ operator: 'Exists' }]))), 'placement')).toEqual([]);
    expect(lines(findings(changed((s) => (pod(s).tolerations = [{ key: 'workload', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }]))), 'placement')).toEqual([
      'placement Deployment/api spec.template.spec: can land on none of the 1 NodePools, so its pods stay Pending: "general": no toleration for taint workload=web:NoSchedule',
    ]);
  });

  it('reports references outside a partial set as warnings, inside synth as errors', () => {
    const onlyPool = [pool(validSet())];
    expect(findings(onlyPool, { complete: false }).map((f) => `${f.severity} ${f.rule}`)).toEqual(['warning node-class-ref']);
    expect(findings(onlyPool, { complete: true }).map((f) => `${f.severity} ${f.rule}`)).toEqual(['error node-class-ref']);
    const elsewhere = changed((s) => (deployment(s).metadata.annotations['karpenter-as-code.io/pools'] = 'general,batch'));
    expect(findings(elsewhere, { complete: false }).map((f) => `${f.severity} ${f.message}`)).toEqual(['warning is meant for NodePool "batch", which is not in the files given (it may exist in the cluster)']);
    expect(findings(elsewhere, { complete: true }).map((f) => `${f.severity} ${f.message}`)).toEqual(['error is meant for NodePool "batch", which is not in the set']);
  });

  it('reports a pod meant for a pool it cannot land on', () => {
    const twin = (s: any[]) => {
      const batch = structuredClone(pool(s));
      batch.metadata.name = 'batch';
      batch.spec.template.spec.taints = [{ key: 'workload', value: 'batch', effect: 'NoSchedule' }];
      s.push(batch);
      deployment(s).metadata.annotations['karpenter-as-code.io/pools'] = 'general,batch';
    };
    expect(lines(findings(changed(twin)), 'placement')).toEqual([
      'placement Deployment/api spec.template.spec: is meant for NodePool "batch" but cannot land there: no toleration for taint workload=batch:NoSchedule',
    ]);
  });
});

describe('the validator thread', () => {
  it('validates on the worker and ends when closed', async () => {
    execFileSync(process.execPath, [join(resolve(__dirname, '..'), 'scripts', 'build.mjs')]);
    const thread = startValidatorThread(join(resolve(__dirname, '..'), '.build', 'validator-worker.js'));
    const result = await thread.validate(changed((s) => (pool(s).spec.template.spec.requirements[0].values = [])), { complete: true });
    expect(lines(result.findings)).toContain("cel NodePool/general spec.template.spec.requirements: requirements with operator 'In' must have a value defined");
    await thread.close();
  });

  it('hands the thread started before the bundle loaded to synth, once, and only for the same script', async () => {
    execFileSync(process.execPath, [join(resolve(__dirname, '..'), 'scripts', 'build.mjs')]);
    const script = join(resolve(__dirname, '..'), '.build', 'validator-worker.js');
    // Let go at once: main.js does so once the synth bundle is compiled.
    startValidatorThreadEarly(script)();
    const early = (globalThis as Record<symbol, { thread: unknown } | undefined>)[Symbol.for('karpenter-as-code/validator-thread')]!.thread;
    const taken = startValidatorThread(script);
    expect(taken).toBe(early);
    // Taken once: the next start is a thread of its own.
    const another = startValidatorThread(script);
    expect(another).not.toBe(early);
    const result = await taken.validate(changed(() => undefined), { complete: true });
    expect(result.errors).toBe(0);
    await Promise.all([taken.close(), another.close()]);
  });

  it('validates on this thread where there is no worker bundle (cdk8s synth under ts-node)', async () => {
    const here = validatorOnThisThread();
    const result = await here.validate(changed((s) => (pool(s).spec.template.spec.requirements[0].values = [])), { complete: true });
    expect(lines(result.findings)).toContain("cel NodePool/general spec.template.spec.requirements: requirements with operator 'In' must have a value defined");
    await here.close();
  });

  it('rejects waiting calls with the error of a thread that fails, and still closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'broken-worker-'));
    try {
      writeFileSync(join(dir, 'worker.js'), "throw new Error('the validator bundle is broken');\n");
      const thread = startValidatorThread(join(dir, 'worker.js'));
      await expect(thread.validate([], {})).rejects.toThrow('the validator bundle is broken');
      await thread.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('validation in synth', () => {
  it("puts the validator's warnings and the waivers in REPORT.md", () => {
    const env = { ...prod, workloads: { ...prod.workloads, llm: { components: { server: { minReplicas: 2, maxReplicas: 40 } } } } };
    const report = renderAll([env]).get('prod/REPORT.md')!;
    const section = report.slice(report.indexOf('## Validator warnings'));
    expect(section).toContain('- StatefulSet llm/llm-server: `spec` [pool-capacity] HorizontalPodAutoscaler "llm-server" may scale to 40 replicas');
    expect(section).toContain('- ConfigMap jenkins/jenkins-agents-casc waives [privileged] at `data["karpenter-agents.yaml"] jenkins.clouds[0].kubernetes.templates[0].yaml: spec.containers[2].securityContext.privileged`: podman: podman builds container images');
    expect(section).toContain('- EC2NodeClass default waives [kube-reserved] at `spec.kubelet.kubeReserved.memory`: seed 002');
  });
});

describe('npm run validate', () => {
  const ROOT = resolve(__dirname, '..');
  let dir: string;
  const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, '.build', 'validate.js'), ...args], { cwd: dir, encoding: 'utf8' });

  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')]);
    dir = mkdtempSync(join(tmpdir(), 'validate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on a valid folder and says so', () => {
    const result = run(join(ROOT, 'test', 'fixtures', 'valid'));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^0 error\(s\), 0 warning\(s\) in 12 object\(s\) \(\d+ ms, reading included\)\n$/);
  });

  it('exits 1 on errors, grouped by object with file and document', () => {
    const set = changed((s) => (pool(s).spec.disruption.budgets = [{ nodes: '1', schedule: '@daily' }]));
    writeFileSync(join(dir, 'broken.yaml'), set.map((o) => stringify(o)).join('---\n'));
    const result = run('broken.yaml');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`NodePool general (broken.yaml#2)\n  error   [cel] spec.disruption.budgets: 'schedule' must be set with 'duration'\n`);
    const json = JSON.parse(run('--format', 'json', 'broken.yaml').stdout);
    expect(json).toMatchObject({ objects: 12, errors: 1, warnings: 0 });
    expect(json.findings[0]).toEqual({ rule: 'cel', severity: 'error', object: { kind: 'NodePool', name: 'general', source: 'broken.yaml#2' }, path: 'spec.disruption.budgets', message: "'schedule' must be set with 'duration'" });
  });

  it('exits 2 when a file cannot be parsed or found', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'kind: [unclosed\n');
    // The line of the error, where the reader found it (the flow sequence never closes).
    expect(run('bad.yaml')).toMatchObject({ status: 2, stderr: 'bad.yaml#1 (line 2): not valid YAML: deficient indentation\n' });
    writeFileSync(join(dir, 'later.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n namespace: c\n');
    expect(run('later.yaml')).toMatchObject({ status: 2, stderr: expect.stringMatching(/^later\.yaml#2 \(line 9\): not valid YAML: /) });
    expect(run('missing.yaml')).toMatchObject({ status: 2, stderr: 'missing.yaml: no such file or folder\n' });
    expect(run('--format', 'xml', 'bad.yaml').status).toBe(2);
    mkdirSync(join(dir, 'empty'));
    expect(run('empty')).toMatchObject({ status: 2, stderr: 'no .yaml, .yml or .json file under empty\n' });
    // A loop of symbolic links is unreadable input, not a bug of the validator.
    mkdirSync(join(dir, 'looped'));
    symlinkSync('b.yaml', join(dir, 'looped', 'a.yaml'));
    symlinkSync('a.yaml', join(dir, 'looped', 'b.yaml'));
    expect(run('looped')).toMatchObject({ status: 2, stderr: 'looped/a.yaml: cannot be read (a loop of symbolic links)\n' });
  });

  it('reads documents nested as deep as kubectl reads them (10,000 levels), and refuses deeper ones with its words', () => {
    const nested = (depth: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: web}\nx: ${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
    writeFileSync(join(dir, 'deep.yaml'), nested(5000));
    const deep = run('--format', 'json', 'deep.yaml');
    expect(deep.status).toBe(1);
    expect(JSON.parse(deep.stdout).findings.map((f: { rule: string; path: string }) => `${f.rule} ${f.path}`)).toEqual(['unknown-field x']);
    writeFileSync(join(dir, 'deeper.yaml'), nested(12000));
    expect(run('deeper.yaml')).toMatchObject({ status: 2, stderr: 'deeper.yaml#1 (line 4): not valid YAML: exceeded max depth of 10000 (kubectl\'s limit too)\n' });
  });

  it('runs only what the API server enforces with --admission-only', () => {
    writeFileSync(join(dir, 'latest.yaml'), stringify(changed((s) => (pod(s).containers[0].image = 'nginx:latest')).find((o) => o.kind === 'Deployment')));
    expect(run('latest.yaml').status).toBe(1);
    const admission = run('--admission-only', 'latest.yaml');
    expect(admission.status).toBe(0);
    expect(admission.stdout).toContain('admission checks only');
  });

  it('lists every rule with its layer, severity and rationale', () => {
    const result = run('--list-rules');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(RULE_CATALOG.size);
    expect(result.stdout).toContain('fits-instance                cluster   error   A pod larger than the largest instance\'s allocatable resources is never scheduled.');
  });

});

describe('architecture: what a pod can run on, not what the pool launches', () => {
  // A pool that launches both architectures, and a Deployment whose image is published for amd64 only.
  const multiArch = (pin?: (spec: any) => void) =>
    changed((s) => {
      const arch = pool(s).spec.template.spec.requirements.find((r: any) => r.key === 'kubernetes.io/arch');
      arch.values = ['arm64', 'amd64'];
      pool(s).spec.template.spec.requirements.find((r: any) => r.key === 'node.kubernetes.io/instance-type').values.push('m7i.xlarge');
      deployment(s).metadata.annotations['karpenter-as-code.io/architectures'] = 'amd64';
      pin?.(pod(s));
    });

  it('errs when the pod can land on the nodes its image is not published for', () => {
    expect(lines(findings(multiArch()), 'architecture')).toEqual([
      'architecture Deployment/api spec.template.spec: its images are published for [amd64] but it can land on NodePool "general", which launches arm64 nodes',
    ]);
  });

  it('passes when a node selector or a required node affinity keeps it on the right ones', () => {
    expect(lines(findings(multiArch((spec) => (spec.nodeSelector = { ...spec.nodeSelector, 'kubernetes.io/arch': 'amd64' }))), 'architecture')).toEqual([]);
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'NotIn', values: ['arm64'] }] }] } } };
    expect(lines(findings(multiArch((spec) => (spec.affinity = affinity))), 'architecture')).toEqual([]);
  });
});

describe("JCasC pod templates: the cloud's containerCap bounds its templates together", () => {
  const casc = (cloud: object) => ({
    object: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'agents', namespace: 'jenkins' },
      data: { 'agents.yaml': stringify({ jenkins: { clouds: [{ kubernetes: { namespace: 'ci', ...cloud } }] } }) },
    },
  });
  const template = (name: string, instanceCap?: number) => ({ name, ...(instanceCap ? { instanceCap } : {}), yaml: stringify({ spec: { containers: [{ name: 'jnlp', image: 'jenkins/inbound-agent:3355.v388858a_47b_33-3' }] } }) });
  const caps = (cloud: object) => embeddedPods(casc(cloud)).map((p) => [p.object.metadata?.name, p.maxInstances]);

  it("shares the cloud's cap among templates whose own caps add up to more", () => {
    expect(caps({ containerCapStr: '6', templates: [template('arm64', 6), template('amd64', 6)] })).toEqual([['arm64', 3], ['amd64', 3]]);
    expect(caps({ containerCapStr: '5', templates: [template('a'), template('b')] })).toEqual([['a', 3], ['b', 2]]);
  });

  it("keeps each template's own cap when the cloud's holds them all, and the cloud's when none is set", () => {
    expect(caps({ containerCapStr: '6', templates: [template('a', 2), template('b', 4)] })).toEqual([['a', 2], ['b', 4]]);
    expect(caps({ containerCap: 4, templates: [template('a')] })).toEqual([['a', 4]]);
    expect(caps({ templates: [template('a', 3), template('b')] })).toEqual([['a', 3], ['b', undefined]]);
  });
});
