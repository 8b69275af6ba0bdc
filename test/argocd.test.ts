import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lauxlib, lua, lualib, to_luastring } from 'fengari';
import { ENVIRONMENTS } from '../config/environments';
import { dev } from '../config/environments/dev';
import { EnvironmentConfig } from '../config/types';
import { ARGOCD } from '../config/argocd';
import { KARPENTER_VERSION, KEDA_VERSION } from '../config/versions';
import { APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA, healthPatch } from '../lib/argocd-health';
import { render as renderAll } from './helpers';
import { validate } from '../lib/validation';
import { at, parseYaml } from './helpers';

/** A Lua table constructor for a JSON value. */
function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  return `{${Object.entries(value as object).map(([k, v]) => `[${JSON.stringify(k)}] = ${luaLiteral(v)}`).join(', ')}}`;
}

/** Runs the health script as ArgoCD does (`obj` global), returning its status and message. */
function health(obj: unknown): { status: string; message: string } {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const code = `obj = ${luaLiteral(obj)}\nlocal function check()\n${APPLICATION_HEALTH_LUA}\nend\nlocal hs = check()\nreturn hs.status, hs.message`;
  if (lauxlib.luaL_dostring(L, to_luastring(code)) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1));
  return { status: lua.lua_tojsstring(L, -2), message: lua.lua_tojsstring(L, -1) };
}

const files = renderAll(ENVIRONMENTS);
const shared = [...files].filter(([p]) => p.startsWith('argocd/') && !p.startsWith('argocd/patches/'));
const objectsOf = (path: string) => parseYaml(files.get(path)!);

describe('ArgoCD health for Applications (argocd/patches/argocd-cm.yaml)', () => {
  it("is the child Application's own health, so a wave of Applications waits for them", () => {
    expect(health({ status: { health: { status: 'Healthy' } } })).toEqual({ status: 'Healthy', message: '' });
    expect(health({ status: { health: { status: 'Degraded', message: 'NodePool default not ready' } } })).toEqual({ status: 'Degraded', message: 'NodePool default not ready' });
  });

  it('is Progressing until the child reports a health', () => {
    expect(health({}).status).toBe('Progressing');
    expect(health({ status: { sync: { status: 'OutOfSync' } } }).status).toBe('Progressing');
  });

  it('merges into an existing argocd-cm, keeping its data, and is itself a valid ConfigMap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argocd-cm-'));
    try {
      writeFileSync(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  namespace: argocd\ndata:\n  url: https://argocd.example.com\n');
      writeFileSync(join(dir, 'patch.yaml'), healthPatch());
      const [merged] = parseYaml(execFileSync('kubectl', ['patch', '--local', '-f', join(dir, 'cm.yaml'), '--type', 'merge', '--patch-file', join(dir, 'patch.yaml'), '-o', 'yaml'], { encoding: 'utf8' })) as any[];
      expect(merged.data.url).toBe('https://argocd.example.com');
      expect(merged.data[APPLICATION_HEALTH_KEY]).toBe(APPLICATION_HEALTH_LUA);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(files.get('argocd/patches/argocd-cm.yaml')).toBe(healthPatch());
    expect(validate(parseYaml(healthPatch()).map((object) => ({ object })), { prerequisites: [{ kind: 'Namespace', name: 'argocd' }] }).findings).toEqual([]);
  });
});

describe('dist/argocd/bootstrap.yaml', () => {
  const objects = objectsOf('argocd/bootstrap.yaml');
  const project = objects.find((o) => o.kind === 'AppProject')!;
  const root = objects.find((o) => o.kind === 'Application')!;

  it('holds the project, then the root Application that syncs dist/argocd (itself included, the argocd-cm patch left out)', () => {
    expect(objects.map((o) => o.kind)).toEqual(['AppProject', 'Application']);
    expect(at(root, 'spec.project')).toBe(project.metadata.name);
    expect(at(root, 'spec.source')).toEqual({ repoURL: ARGOCD.repoURL, targetRevision: ARGOCD.targetRevision, path: 'dist/argocd', directory: { recurse: true, exclude: 'patches/*' } });
    expect(at(root, 'spec.syncPolicy.retry.limit')).toBe(ARGOCD.retry.limit);
  });

  it('whitelists exactly the cluster-scoped kinds the environments and the charts create', () => {
    const kinds = at(project, 'spec.clusterResourceWhitelist').map((k: any) => `${k.group}/${k.kind}`);
    const used = new Set<string>();
    for (const env of ENVIRONMENTS) {
      for (const [path, text] of files) {
        if (!path.startsWith(`${env.name}/`) || !path.endsWith('.yaml')) continue;
        for (const o of parseYaml(text)) if (!o.metadata.namespace) used.add(`${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`);
      }
    }
    for (const kind of used) expect(kinds).toContain(kind);
    expect(kinds).not.toContain('*/*');
    expect(kinds.filter((k: string) => !used.has(k)).sort()).toEqual([
      'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
      'apiextensions.k8s.io/CustomResourceDefinition',
      'apiregistration.k8s.io/APIService',
      'rbac.authorization.k8s.io/ClusterRole',
      'rbac.authorization.k8s.io/ClusterRoleBinding',
    ]);
  });

  it('is, with the Applications, a set the validator passes as complete', () => {
    const set = shared.flatMap(([, text]) => parseYaml(text)).map((object) => ({ object }));
    expect(validate(set, { complete: true, prerequisites: [{ kind: 'Namespace', name: 'argocd' }] }).findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('dist/argocd/apps/<env>.yaml', () => {
  it('installs the CRDs and KEDA first, then Karpenter, then the environment, each pinned', () => {
    for (const env of ENVIRONMENTS) {
      const apps = objectsOf(`argocd/apps/${env.name}.yaml`);
      const byName = (name: string) => apps.find((o) => o.metadata.name === `${name}-${env.name}`)!;
      const wave = (name: string) => Number(byName(name).metadata.annotations!['argocd.argoproj.io/sync-wave']);
      expect(wave('karpenter-crd')).toBeLessThan(wave('karpenter'));
      expect(wave('keda')).toBeLessThan(wave('platform'));
      expect(wave('karpenter')).toBeLessThan(wave('platform'));
      expect(at(byName('karpenter-crd'), 'spec.source')).toMatchObject({ chart: 'karpenter-crd', targetRevision: KARPENTER_VERSION });
      expect(at(byName('keda'), 'spec.source')).toMatchObject({ chart: 'keda', targetRevision: KEDA_VERSION });
      expect(at(byName('keda'), 'spec.syncPolicy.syncOptions')).toContain('CreateNamespace=true');
      const controller = byName('karpenter');
      expect(at(controller, 'spec.source')).toMatchObject({ chart: 'karpenter', targetRevision: KARPENTER_VERSION, helm: { releaseName: 'karpenter', skipCrds: true } });
      const values = at(controller, 'spec.source.helm.valuesObject');
      expect(values.settings).toEqual({ clusterName: env.cluster.name, ...(env.karpenter.interruptionQueue ? { interruptionQueue: env.karpenter.interruptionQueue } : {}) });
      expect(values.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toBe(env.karpenter.controllerRoleArn);
      expect(values.nodeSelector).toEqual(env.systemNodeSelector);
      expect(JSON.stringify(values.affinity)).toContain('"key":"karpenter.sh/nodepool","operator":"DoesNotExist"');
      expect(at(byName('platform'), 'spec.source.path')).toBe(`dist/${env.name}`);
      for (const app of apps) {
        expect(at(app, 'spec.destination.server')).toBe(env.argocdDestination);
        expect(at(app, 'spec.syncPolicy')).toMatchObject({ automated: { prune: true, selfHeal: true }, retry: { limit: ARGOCD.retry.limit } });
        expect(at(app, 'spec.syncPolicy.syncOptions')).toContain('ServerSideApply=true');
      }
    }
  });
});

describe('a third cluster', () => {
  it('is one entry in config: its folder, its report and its ArgoCD element appear', () => {
    const third: EnvironmentConfig = { ...dev, name: 'zz-fixture-env', cluster: { ...dev.cluster, name: 'zz-fixture-cluster' }, argocdDestination: 'https://zz-fixture.example.internal' };
    const files = renderAll([...ENVIRONMENTS, third]);
    expect([...files.keys()].filter((p) => p.startsWith('zz-fixture-env/')).sort()).toEqual(
      [...files.keys()].filter((p) => p.startsWith('dev/')).map((p) => p.replace('dev/', 'zz-fixture-env/')).sort(),
    );
    expect(files.get('zz-fixture-env/REPORT.md')).toContain('# zz-fixture-env: cluster zz-fixture-cluster');
    const apps = parseYaml(files.get('argocd/apps/zz-fixture-env.yaml')!);
    expect(apps.map((a) => a.metadata.name).sort()).toEqual(['karpenter-crd-zz-fixture-env', 'karpenter-zz-fixture-env', 'keda-zz-fixture-env', 'platform-zz-fixture-env']);
    const project = parseYaml(files.get('argocd/bootstrap.yaml')!).find((o) => o.kind === 'AppProject')!;
    expect(at(project, 'spec.destinations')).toContainEqual({ server: 'https://zz-fixture.example.internal', namespace: 'kafka' });
    expect(files.get('zz-fixture-env/02-ec2nodeclasses.yaml')).toContain('Name: zz-fixture-cluster-default');
  });
});
