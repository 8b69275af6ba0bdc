import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { emitYaml } from '../lib/synth/yaml-emit';
import { GO_TIER, oracleBinary, ROOT } from './oracle';

/**
 * `npm run verify` on a real control plane (Go tier): a render the API server refuses fails with
 * the object and the API server's own message, for each kind of refusal the issue names (a
 * schema error, a CEL rule, a Pod Security violation, an immutable update); and the control plane
 * stops, leaving nothing behind, when interrupted, and says what failed when it cannot start.
 */
const scratch = mkdtempSync(join(tmpdir(), 'verify-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of dist/prod, with `change` applied to its objects, in `<dir>/prod`. */
function renderWith(dir: string, change: (objects: Record<string, any>[]) => void): string {
  const source = join(ROOT, 'dist', 'prod');
  cpSync(source, join(dir, 'prod'), { recursive: true });
  for (const file of readdirSync(source).filter((f) => f.endsWith('.yaml'))) {
    const objects = parseAllDocuments(readFileSync(join(source, file), 'utf8')).map((d) => d.toJS());
    change(objects);
    writeFileSync(join(dir, 'prod', file), objects.map((o) => emitYaml(o)).join('---\n'));
  }
  return dir;
}

function verify(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'scripts', 'run.mjs'), 'verify', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
}

const find = (objects: Record<string, any>[], kind: string, name: string) => objects.find((o) => o?.kind === kind && o.metadata?.name === name);

/** No control plane folder left in the temporary directory. */
const leftovers = () => readdirSync(tmpdir()).filter((f) => f.startsWith('karpenter-as-code-controlplane-'));

describe.runIf(GO_TIER)('npm run verify (Go tier: kube-apiserver v1.35.4)', () => {
  it('fails with the object and the API server’s message for a schema error, a CEL rule and a Pod Security violation', { timeout: 300_000 }, () => {
    const dist = renderWith(mkdtempSync(join(scratch, 'broken-')), (objects) => {
      const worker = find(objects, 'Deployment', 'spark-worker');
      if (worker) worker.spec.replicas = 'five';
      const pool = find(objects, 'NodePool', 'spark-exec-arm-ondemand');
      if (pool) pool.spec.disruption.budgets = [{ nodes: '1', schedule: '0 9 * * mon-fri' }];
      const master = find(objects, 'Deployment', 'spark-master');
      if (master) master.spec.template.spec.containers[0].securityContext = { ...master.spec.template.spec.containers[0].securityContext, privileged: true, allowPrivilegeEscalation: true };
    });
    const result = verify('prod', '--dist', dist);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain('✗ Deployment spark/spark-worker');
    expect(result.stdout).toMatch(/Deployment spark\/spark-worker .*refused by the API server: failed to create typed patch object .*\.spec\.replicas: expected numeric \(int or float\), got string/);
    expect(result.stdout).toMatch(/NodePool spark-exec-arm-ondemand .*refused by the API server: .*'schedule' must be set with 'duration'/);
    expect(result.stdout).toMatch(/Deployment spark\/spark-master .*its pods are refused: pods "spark-master-oracle" is forbidden: violates PodSecurity "restricted:latest": privileged/);
  });

  it('reports an update the API server refuses, as validate --previous predicts it', { timeout: 300_000 }, () => {
    const previous = renderWith(mkdtempSync(join(scratch, 'previous-')), () => undefined);
    const dist = renderWith(mkdtempSync(join(scratch, 'grown-')), (objects) => {
      const kafka = find(objects, 'StatefulSet', 'kafka');
      if (kafka) kafka.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '999Gi';
    });
    const result = verify('prod', '--dist', dist, '--previous', previous);
    // Predicted: reported, and not a failure (npm run plan already stopped the change and said the way out).
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/! StatefulSet kafka\/kafka: update refused, as validate --previous and npm run plan predict \(the sync fails on it until the plan's way out is followed\): StatefulSet.apps "kafka" is invalid: spec: Forbidden: updates to statefulset spec for fields other than/);
    expect(result.stdout).toContain('updates as predicted (1 refused)');
    expect(result.stdout).not.toContain('did not predict');
  });

  it('says which port is taken when the control plane cannot start, and exits non-zero', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const result = spawnSync(oracleBinary('controlplane'), ['serve', '--apiserver-port', String(port)], { encoding: 'utf8', timeout: 60_000 });
      expect(result.status).toBe(3);
      expect(result.stderr).toContain(`the control plane could not start: kube-apiserver: port ${port} on 127.0.0.1 is taken by another process`);
    } finally {
      server.close();
    }
  });

  it('stops etcd and kube-apiserver and removes its folder on Ctrl-C (SIGINT)', { timeout: 120_000 }, async () => {
    const before = leftovers();
    const child = spawn(oracleBinary('controlplane'), ['serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await new Promise<{ kubeconfig: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
      });
      child.on('exit', (code) => reject(new Error(`exited ${code} before it was ready`)));
    });
    expect(existsSync(ready.kubeconfig)).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(ready.kubeconfig)).toBe(false);
    expect(leftovers()).toEqual(before);
  });
});
