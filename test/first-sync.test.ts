import { describe, expect, it } from 'vitest';
import { ROOT_PATH } from '../charts/argocd';
import { COMPOSITION } from '../compose';
import { ARGOCD } from '../config/argocd';
import { ENVIRONMENTS } from '../config/environments';
import { APPLICATION_HEALTH_KEY } from '../lib/argocd-health';
import { Manifest } from '../lib/layout';
import { ArgoCd, cluster, kubectlApply, syncApplication, syncObjects } from './argocd-sim';
import { parseYaml, render } from './helpers';

/**
 * The contract of dist/ with Argo CD: on clusters that hold only the declared prerequisites, a
 * team applies dist/argocd/bootstrap.yaml once, with the argocd-cm patch merged, and the first
 * sync of every Application finishes, with no manual step and no retry needed: CRDs before the
 * kinds they define, controllers before the objects they act on, namespaces, Secrets and claims
 * before the pods that need them, autoscalers after their targets. The model is argocd-sim.ts.
 */

const files = render(ENVIRONMENTS);
const repo = (): Map<string, Manifest[]> =>
  new Map([...files].filter(([path]) => path.endsWith('.yaml') && !path.startsWith(`${ROOT_PATH.replace('dist/', '')}/patches/`)).map(([path, text]) => [`dist/${path}`, parseYaml(text)]));

/** Every destination's cluster holding its environment's prerequisites; Argo CD's own cluster also holds Argo CD. */
function installation(applicationHealth: boolean, change: (repo: Map<string, Manifest[]>) => void = () => {}): { argo: ArgoCd; bootstrap: Manifest[] } {
  const clusters = new Map(ENVIRONMENTS.map((env) => [env.argocdDestination, cluster(COMPOSITION.build(env).prerequisites)]));
  const home = clusters.get('https://kubernetes.default.svc') ?? cluster();
  home.namespaces.add(ARGOCD.namespace);
  for (const kind of ['Application', 'AppProject', 'ApplicationSet']) home.kinds.add(`argoproj.io/${kind}`);
  const r = repo();
  change(r);
  return { argo: { home, clusters, repo: r, applicationHealth }, bootstrap: r.get('dist/argocd/bootstrap.yaml')! };
}

function firstSync(applicationHealth = true, change?: (repo: Map<string, Manifest[]>) => void): void {
  const { argo, bootstrap } = installation(applicationHealth, change);
  kubectlApply(bootstrap, argo.home);
  syncApplication(argo, bootstrap.find((o) => o.kind === 'Application')!);
}

describe('the first sync from nothing', () => {
  it('finishes for every environment, with the argocd-cm patch applied', () => {
    expect((parseYaml(files.get('argocd/patches/argocd-cm.yaml')!)[0] as any).data[APPLICATION_HEALTH_KEY]).toBeTruthy();
    expect(() => firstSync()).not.toThrow();
  });

  it('ends with every object of every environment in its cluster, and Karpenter and KEDA running', () => {
    const { argo, bootstrap } = installation(true);
    kubectlApply(bootstrap, argo.home);
    syncApplication(argo, bootstrap.find((o) => o.kind === 'Application')!);
    for (const env of ENVIRONMENTS) {
      const c = argo.clusters.get(env.argocdDestination)!;
      expect([...c.running].sort()).toEqual(['karpenter', 'keda']);
      const expected = [...argo.repo].filter(([p]) => p.startsWith(`dist/${env.name}/`)).flatMap(([, objects]) => objects);
      for (const o of expected.filter((o) => o.kind !== 'Namespace')) expect(c.objects.has(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`), `${o.kind} ${o.metadata.name}`).toBe(true);
    }
  });

  it('stops without the Application health check: child Applications count as healthy at once and the waves order nothing', () => {
    expect(() => firstSync(false)).toThrow(/^platform-\w+: \w+ [\w-]+ \(wave -?\d+\) is refused: the API server does not serve (karpenter\.sh\/NodePool|karpenter\.k8s\.aws\/EC2NodeClass|keda\.sh\/\w+) \(its CRD is not established\)$/);
  });

  it('stops when an environment object comes before what it needs (the model is not vacuous)', () => {
    const moved = (repo: Map<string, Manifest[]>) => {
      const [path, objects] = [...repo].find(([p]) => p.startsWith('dist/dev/') && p.endsWith('config.yaml'))!;
      const account = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'airflow')!;
      (account.metadata as any).annotations = { ...account.metadata.annotations, 'argocd.argoproj.io/sync-wave': '9' };
      repo.set(path, objects);
    };
    expect(() => firstSync(true, moved)).toThrow(/platform-dev: wave 5 never completes: Job airflow\/airflow-db-migrate-\w+ is not healthy: it needs ServiceAccount airflow\/airflow/);
  });

  it('stops when a declared prerequisite is missing from the cluster (the Jenkins controller namespace)', () => {
    const env = ENVIRONMENTS[0]!;
    const objects = [...repo()].filter(([p]) => p.startsWith(`dist/${env.name}/`)).flatMap(([, o]) => o);
    const target = cluster([]);
    for (const kind of ['karpenter.sh/NodePool', 'karpenter.k8s.aws/EC2NodeClass', 'keda.sh/ScaledObject', 'keda.sh/TriggerAuthentication']) target.kinds.add(kind);
    target.running.add('karpenter');
    target.running.add('keda');
    expect(() => syncObjects(`platform-${env.name}`, objects, target)).toThrow(/ConfigMap jenkins-agents-casc \(wave 3\) is refused: namespace jenkins does not exist/);
  });
});
