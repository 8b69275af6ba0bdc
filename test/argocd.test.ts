import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lauxlib, lua, lualib, to_luastring } from 'fengari';
import { ENVIRONMENTS } from '../config/environments';
import { dev } from '../config/environments/dev';
import { EnvironmentConfig } from '../config/types';
import { KARPENTER_VERSION } from '../config/versions';
import { HEALTH_KINDS, healthPatch, KARPENTER_HEALTH_LUA } from '../lib/argocd-health';
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
  const code = `obj = ${luaLiteral(obj)}\nlocal function check()\n${KARPENTER_HEALTH_LUA}\nend\nlocal hs = check()\nreturn hs.status, hs.message`;
  if (lauxlib.luaL_dostring(L, to_luastring(code)) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1));
  return { status: lua.lua_tojsstring(L, -2), message: lua.lua_tojsstring(L, -1) };
}

describe('ArgoCD health for NodePool and EC2NodeClass', () => {
  const ready = (status: string, extra: object = {}) => ({ status: { conditions: [{ type: 'ValidationSucceeded', status: 'True' }, { type: 'Ready', status, ...extra }] } });

  it('is Healthy when Ready is True', () => {
    expect(health(ready('True')).status).toBe('Healthy');
  });

  it('is Degraded with the condition message when Ready is False', () => {
    expect(health(ready('False', { reason: 'NodeClassNotReady', message: 'EC2NodeClass "gpu" not found' }))).toEqual({ status: 'Degraded', message: 'EC2NodeClass "gpu" not found' });
    expect(health(ready('False', { reason: 'SubnetsNotFound' }))).toEqual({ status: 'Degraded', message: 'SubnetsNotFound' });
  });

  it('is Progressing when there is no status, no Ready condition, or Ready is Unknown', () => {
    expect(health({}).status).toBe('Progressing');
    expect(health({ status: { conditions: [{ type: 'ValidationSucceeded', status: 'True' }] } }).status).toBe('Progressing');
    expect(health(ready('Unknown')).status).toBe('Progressing');
  });

  it('is registered for both kinds in the argocd-cm patch', () => {
    const [patch] = parseYaml(healthPatch()) as any[];
    for (const kind of HEALTH_KINDS) expect(patch.data[`resource.customizations.health.${kind}`]).toBe(KARPENTER_HEALTH_LUA);
  });

  it('merges into an existing argocd-cm, keeping its data, and is itself a valid ConfigMap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argocd-cm-'));
    try {
      writeFileSync(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  namespace: argocd\ndata:\n  url: https://argocd.example.com\n');
      writeFileSync(join(dir, 'patch.yaml'), healthPatch());
      const [merged] = parseYaml(execFileSync('kubectl', ['patch', '--local', '-f', join(dir, 'cm.yaml'), '--type', 'merge', '--patch-file', join(dir, 'patch.yaml'), '-o', 'yaml'], { encoding: 'utf8' })) as any[];
      expect(merged.data.url).toBe('https://argocd.example.com');
      expect(merged.data['resource.customizations.health.karpenter.sh_NodePool']).toBe(KARPENTER_HEALTH_LUA);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(validate(parseYaml(healthPatch()).map((object) => ({ object }))).findings).toEqual([]);
  });
});

describe('dist/argocd/bootstrap.yaml', () => {
  const objects = parseYaml(renderAll(ENVIRONMENTS).get('argocd/bootstrap.yaml')!);

  it('installs Karpenter per environment, CRDs first, pinned to the release of the CRDs', () => {
    for (const env of ENVIRONMENTS) {
      const crd = objects.find((o) => o.metadata.name === `karpenter-crd-${env.name}`)!;
      const controller = objects.find((o) => o.metadata.name === `karpenter-${env.name}`)!;
      expect(at(crd, 'spec.source')).toMatchObject({ chart: 'karpenter-crd', targetRevision: KARPENTER_VERSION });
      expect(at(controller, 'spec.source')).toMatchObject({ chart: 'karpenter', targetRevision: KARPENTER_VERSION });
      expect(objects.indexOf(crd)).toBeLessThan(objects.indexOf(controller));
      const values = at(controller, 'spec.source.helm.valuesObject');
      expect(values.settings).toEqual({ clusterName: env.cluster.name, interruptionQueue: env.karpenter.interruptionQueue });
      expect(values.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toBe(env.karpenter.controllerRoleArn);
      expect(values.nodeSelector).toEqual(env.karpenter.systemNodeSelector);
      expect(JSON.stringify(values.affinity)).toContain('"key":"karpenter.sh/nodepool","operator":"DoesNotExist"');
    }
  });

  it('syncs every environment folder through one ApplicationSet, after Karpenter', () => {
    const set = objects.find((o) => o.kind === 'ApplicationSet')!;
    expect(objects.indexOf(set)).toBe(objects.length - 1);
    expect(at(set, 'spec.generators')[0].list.elements).toEqual(ENVIRONMENTS.map((e) => ({ name: e.name, server: e.argocdDestination })));
    expect(at(set, 'spec.template.spec.source.path')).toBe('dist/{{.name}}');
    expect(at(set, 'spec.template.spec.syncPolicy')).toEqual({ automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] });
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
    const set = parseYaml(files.get('argocd/bootstrap.yaml')!).find((o) => o.kind === 'ApplicationSet')!;
    expect(at(set, 'spec.generators')[0].list.elements).toContainEqual({ name: 'zz-fixture-env', server: 'https://zz-fixture.example.internal' });
    expect(files.get('zz-fixture-env/02-ec2nodeclasses.yaml')).toContain('Name: zz-fixture-cluster-default');
  });
});
