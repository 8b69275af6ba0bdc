import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { POOLS } from '../config/pools';
import { PoolName } from '../config/types';
import { ComponentConfig, WORKLOADS } from '../config/workloads';
import { Manifest } from '../lib/synth/layout';
import { resolvePools, ResolvedPool } from '../lib/config/pools';
import { parseQuantity, jvmBytes } from '../packages/karpenter-validate/src/quantity';
import { durationSeconds } from '../packages/karpenter-validate/src/durations';
import { imageRef } from '../lib/config/workload-config';
import { COMPOSITION } from '../compose';
import { validate } from '../packages/karpenter-validate/src/validation';
import { applied, at, EXAMPLES, manifests, ofKind, podSpec, waveOf } from './helpers';

const CONTROLLERS = ['Deployment', 'StatefulSet'];

/** Whether a pod with these tolerations tolerates every taint of the pool (an independent reading of the scheduler's rule). */
function tolerates(tolerations: any[] | undefined, pool: ResolvedPool): boolean {
  return pool.taints.every((taint) => (tolerations ?? []).some((t) => t.key === taint.key && t.effect === taint.effect && (t.operator === 'Exists' || t.value === taint.value)));
}

/** Whether a node of the pool carries every label of the selector. */
function selects(selector: Record<string, string> | undefined, pool: ResolvedPool): boolean {
  // An architecture is a requirement of the pool's (a pool may launch several), not one of its labels.
  return Object.entries(selector ?? {}).every(([key, value]) => (key === 'kubernetes.io/arch' ? (pool.architectures as readonly string[]).includes(value) : pool.labels[key] === value));
}

/** Every pod template the environment runs: controllers', Jobs', and the Jenkins agent's (inside its JCasC). */
function podTemplates(objects: readonly Manifest[]): { name: string; namespace: string; annotations: Record<string, string>; spec: any }[] {
  const templates = objects
    .filter((m) => CONTROLLERS.includes(m.kind) || m.kind === 'Job')
    .map((m) => ({ name: m.metadata.name, namespace: m.metadata.namespace!, annotations: { ...m.metadata.annotations, ...at(m, 'spec.template.metadata.annotations') }, spec: podSpec(m) }));
  for (const casc of objects.filter((m) => m.kind === 'ConfigMap' && m.metadata.name === 'jenkins-agents-casc')) {
    for (const cloud of parse((casc as any).data['karpenter-agents.yaml']).jenkins.clouds) {
      for (const template of cloud.kubernetes.templates) {
        const pod = parse(template.yaml);
        templates.push({ name: template.name, namespace: template.namespace, annotations: pod.metadata.annotations, spec: pod.spec });
      }
    }
  }
  return templates;
}

describe.each(EXAMPLES)('workloads of $name', (env) => {
  const pools = resolvePools(env);
  const objects = manifests(env);
  const controllers = objects.filter((m) => CONTROLLERS.includes(m.kind));
  const templates = podTemplates(objects);
  const enabled = (names: readonly PoolName[]) => names.filter((n) => pools.some((p) => p.name === n));
  const byName = (name: string) => templates.find((t) => t.name === name)!;

  it('deploys every workload of config/workloads.ts whose pools are enabled', () => {
    const expected = Object.entries(WORKLOADS)
      .filter(([, entry]) => Object.values(entry.components).every((c) => enabled((c as ComponentConfig).pools).length > 0))
      .map(([, entry]) => entry.namespace);
    expect([...new Set(templates.map((t) => t.namespace))].sort()).toEqual([...new Set(expected)].sort());
  });

  it('places every pod template on exactly the enabled pools its component names, by their labels and taints', () => {
    for (const t of templates) {
      const intended = t.annotations['karpenter-as-code.io/pools']!.split(',');
      const component = Object.values(WORKLOADS).flatMap((w) => Object.values(w.components) as ComponentConfig[]).find((c) => enabled(c.pools).join(',') === intended.join(','));
      expect(component, `${t.name} is meant for [${intended}], which no component of config/workloads.ts names`).toBeDefined();
      const landsOn = pools.filter((pool) => selects(t.spec.nodeSelector, pool) && tolerates(t.spec.tolerations, pool)).map((p) => p.name);
      expect(landsOn.sort(), t.name).toEqual([...intended].sort());
    }
  });

  it('tolerates exactly the taints of its pools, no more', () => {
    for (const t of templates) {
      const own = pools.filter((p) => t.annotations['karpenter-as-code.io/pools']!.split(',').includes(p.name));
      const taints = new Set(own.flatMap((p) => p.taints.map((x) => `${x.key}=${x.value}:${x.effect}`)));
      expect(new Set((t.spec.tolerations ?? []).map((x: any) => `${x.key}=${x.value}:${x.effect}`)), t.name).toEqual(taints);
    }
  });

  it('lets a pod without tolerations land only on untainted pools', () => {
    expect(pools.filter((p) => tolerates(undefined, p)).map((p) => p.name).sort()).toEqual(['core-arm-ondemand', 'default']);
  });

  it('sets requests and limits for cpu and memory on every container', () => {
    for (const t of templates) {
      for (const c of [...t.spec.containers, ...(t.spec.initContainers ?? [])]) {
        for (const kind of ['requests', 'limits']) {
          expect(at(c, `resources.${kind}.cpu`), `${t.name}/${c.name} ${kind}.cpu`).toBeDefined();
          expect(at(c, `resources.${kind}.memory`), `${t.name}/${c.name} ${kind}.memory`).toBeDefined();
        }
      }
    }
  });

  it('gives every long-running container a probe and no init container one', () => {
    for (const c of controllers) {
      const spec = podSpec(c);
      for (const x of spec.containers) expect(x.readinessProbe ?? x.livenessProbe ?? x.startupProbe, `${c.metadata.name}/${x.name}`).toBeDefined();
      for (const x of spec.initContainers ?? []) expect(x.readinessProbe ?? x.livenessProbe ?? x.startupProbe, `${c.metadata.name}/${x.name}`).toBeUndefined();
    }
  });

  it('carries no credential in an env value', () => {
    for (const t of templates) {
      for (const c of [...t.spec.containers, ...(t.spec.initContainers ?? [])]) {
        for (const variable of c.env ?? []) {
          if (variable.value === undefined) continue;
          expect(variable.name, `${t.name}/${c.name}`).not.toMatch(/PASSWORD|SECRET|TOKEN|CREDENTIAL|_CONN$|API_KEY/i);
          // A URL may name a password only as a $(VAR) the kubelet expands from a Secret.
          expect(variable.value.replace(/\$\([A-Z_]+\)/g, ''), `${t.name}/${c.name} ${variable.name}`).not.toMatch(/:\/\/[^/@\s:]*:[^/@\s]+@/);
        }
      }
    }
  });

  it('uses only images pinned in config/workloads.ts', () => {
    const pinned = new Set(Object.values(WORKLOADS).flatMap((w) => Object.values(w.images).map((image) => imageRef(image as any))));
    for (const t of templates) {
      for (const c of [...t.spec.containers, ...(t.spec.initContainers ?? [])]) {
        expect(pinned.has(c.image), `${t.name}/${c.name}: ${c.image}`).toBe(true);
        expect(c.image).not.toMatch(/:latest$/);
      }
    }
  });

  it('runs privileged containers only in a namespace whose Pod Security level is privileged, with the reason', () => {
    const levels = new Map(ofKind(env, 'Namespace').map((ns) => [ns.metadata.name, ns.metadata.labels?.['pod-security.kubernetes.io/enforce']]));
    for (const t of templates) {
      const privileged = t.spec.containers.filter((c: any) => c.securityContext?.privileged);
      if (privileged.length === 0) continue;
      expect(levels.get(t.namespace), t.name).toBe('privileged');
      for (const c of privileged) expect(t.annotations['waivers.karpenter-as-code.io/privileged']).toMatch(new RegExp(`^${c.name}: .*podman builds container images`));
    }
    expect([...levels].filter(([, level]) => level === 'privileged').map(([name]) => name)).toEqual(['ci']);
    expect(ofKind(env, 'Namespace').find((ns) => ns.metadata.name === 'ci')?.metadata.annotations?.['karpenter-as-code.io/pod-security-reason']).toMatch(/podman/);
  });

  it('gives every PDB a selector that matches its workload and allows a disruption at the autoscaler minimum', () => {
    // A KEDA ScaledObject's minimum of 0 leaves nothing to protect; a PDB there counts once pods run.
    const hpas = [...ofKind(env, 'HorizontalPodAutoscaler'), ...ofKind(env, 'ScaledObject').map((s) => ({ ...s, spec: { ...(s.spec as object), minReplicas: Math.max(1, at(s, 'spec.minReplicaCount') ?? 0) } }))];
    for (const pdb of ofKind(env, 'PodDisruptionBudget')) {
      const selector = at(pdb, 'spec.selector.matchLabels');
      const matched = controllers.filter((c) => c.metadata.namespace === pdb.metadata.namespace && Object.entries(selector).every(([k, v]) => at(c, 'spec.template.metadata.labels')[k] === v));
      expect(matched.map((c) => c.metadata.name), pdb.metadata.name).toEqual([pdb.metadata.name]);
      const hpa = hpas.find((h) => h.metadata.namespace === pdb.metadata.namespace && at(h, 'spec.scaleTargetRef.name') === matched[0]!.metadata.name);
      const minimum = hpa ? at(hpa, 'spec.minReplicas') : at(matched[0], 'spec.replicas');
      expect(at(pdb, 'spec.minAvailable')).toBeUndefined();
      expect(Math.min(minimum, at(pdb, 'spec.maxUnavailable')), pdb.metadata.name).toBeGreaterThanOrEqual(1);
    }
  });

  it('points every HPA at a controller that exists, with 1 <= min <= max, and leaves replicas to it', () => {
    for (const hpa of ofKind(env, 'HorizontalPodAutoscaler')) {
      const ref = at(hpa, 'spec.scaleTargetRef');
      const target = controllers.find((c) => c.kind === ref.kind && c.metadata.name === ref.name && c.metadata.namespace === hpa.metadata.namespace);
      expect(target, hpa.metadata.name).toBeDefined();
      expect(at(hpa, 'spec.minReplicas')).toBeGreaterThanOrEqual(1);
      expect(at(hpa, 'spec.maxReplicas')).toBeGreaterThanOrEqual(at(hpa, 'spec.minReplicas'));
      expect(at(target, 'spec.replicas')).toBeUndefined();
    }
  });

  describe('Jenkins agents: pod templates a controller launches per queued build', () => {
    const casc = ofKind(env, 'ConfigMap').find((c) => c.metadata.name === 'jenkins-agents-casc')!;
    const settings = WORKLOADS.jenkins.settings;
    const cloud = parse((casc as any).data['karpenter-agents.yaml']).jenkins.clouds[0].kubernetes;
    const agent = byName('jenkins-agent-arm64');

    it("is configuration-as-code the official chart's config-reload sidecar loads, in the controller's namespace", () => {
      expect(casc.metadata.namespace).toBe(settings.controller.namespace);
      expect(casc.metadata.labels).toEqual({ [settings.controller.configLabel]: 'true' });
    });

    it('connects back to the controller from config over WebSocket, with the agent container the plugin drives', () => {
      expect(cloud.jenkinsUrl).toBe(settings.controller.url);
      expect(cloud.webSocket).toBe(true);
      const jnlp = agent.spec.containers.find((c: any) => c.name === 'jnlp');
      expect(jnlp.image).toBe(imageRef(WORKLOADS.jenkins.images.jnlp));
      expect(jnlp.image).toMatch(/^jenkins\/inbound-agent:[0-9]/);
    });

    it('builds natively on each architecture of the fleet: a template per architecture, on its nodes; the plain label is the first', () => {
      expect(settings.architectures).toEqual(['arm64', 'amd64']);
      expect(cloud.templates.map((t: any) => [t.name, t.label])).toEqual([
        ['jenkins-agent-arm64', `${settings.label} ${settings.label}-arm64`],
        ['jenkins-agent-amd64', `${settings.label}-amd64`],
      ]);
      for (const arch of settings.architectures) {
        const pod = byName(`jenkins-agent-${arch}`);
        expect(pod.spec.nodeSelector).toEqual({ workload: 'ci-build', 'kubernetes.io/arch': arch });
        expect(pod.annotations['karpenter-as-code.io/architectures'].split(',')).toContain(arch);
      }
      // The pool launches both: a build is never left Pending for want of an architecture.
      const pool = ofKind(env, 'NodePool').find((p) => p.metadata.name === 'ci-build-ondemand')!;
      const arch = at(pool, 'spec.template.spec.requirements').find((r: any) => r.key === 'kubernetes.io/arch');
      expect([...arch.values].sort()).toEqual(['amd64', 'arm64']);
    });

    it('runs the tool containers of seed 003 in the shared workspace', () => {
      expect(agent.spec.containers.map((c: any) => c.name)).toEqual(['jnlp', 'python', 'podman', 'aws-cli']);
      for (const c of agent.spec.containers) expect(c.workingDir, c.name).toBe('/home/jenkins/agent');
    });

    it('scales with the build queue: at most maxReplicas agent pods, none when idle', () => {
      const max = env.workloads?.jenkins?.components?.agent?.maxReplicas ?? WORKLOADS.jenkins.components.agent.maxReplicas;
      expect(cloud.containerCapStr).toBe(String(max));
      for (const template of cloud.templates) expect(template.instanceCap).toBe(max);
      expect(objects.some((m) => CONTROLLERS.includes(m.kind) && m.metadata.namespace === 'ci')).toBe(false);
    });

    it("lets the controller's service account manage agent pods in ci, and nothing else", () => {
      const binding = ofKind(env, 'RoleBinding').find((r) => r.metadata.name === 'jenkins-agents')!;
      expect(binding.metadata.namespace).toBe('ci');
      expect(at(binding, 'subjects')).toEqual([{ kind: 'ServiceAccount', name: settings.controller.serviceAccount, namespace: settings.controller.namespace }]);
      const role = ofKind(env, 'Role').find((r) => r.metadata.name === 'jenkins-agents')!;
      expect(at(role, 'rules').flatMap((r: any) => r.resources).sort()).toEqual(['events', 'pods', 'pods/exec', 'pods/log']);
    });
  });

  describe('LLM server: a model that is served', () => {
    const llm = controllers.find((c) => c.metadata.name === 'llm-server')!;
    const server = podSpec(llm).containers[0];
    const { model } = WORKLOADS.llm.settings;

    it('is Ready only when the model from config is loaded', () => {
      const probe = server.readinessProbe.exec.command.join(' ');
      expect(probe).toContain('ollama ps');
      expect(probe).toContain(model.name.replace(/\./g, '\\.'));
      expect(server.env).toContainEqual({ name: 'OLLAMA_KEEP_ALIVE', value: '-1' });
      const script = server.command.join(' ');
      expect(script).toContain(`ollama run "${model.name}"`);
    });

    it('pulls the model once onto its own volume, not on every restart', () => {
      expect(llm.kind).toBe('StatefulSet');
      expect(at(llm, 'spec.volumeClaimTemplates')[0]).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { storageClassName: 'gp3-encrypted' } });
      expect(server.volumeMounts).toContainEqual({ name: 'models', mountPath: '/data' });
      expect(server.command.join(' ')).toContain(`ollama show "${model.name}" >/dev/null 2>&1 || ollama pull "${model.name}"`);
    });

    it("requests the model's memory and the server's, within its limit", () => {
      expect(parseQuantity(server.resources.requests.memory)).toBeGreaterThanOrEqual(parseQuantity(model.memory) + 2 ** 30);
      expect(parseQuantity(server.resources.limits.memory)).toBeGreaterThan(parseQuantity(server.resources.requests.memory));
      expect(server.resources.requests['nvidia.com/gpu']).toBeUndefined();
    });

    it('keeps at least two servers in production', () => {
      if (!env.production) return;
      const hpa = ofKind(env, 'HorizontalPodAutoscaler').find((h) => h.metadata.name === 'llm-server')!;
      expect(at(hpa, 'spec.minReplicas')).toBeGreaterThanOrEqual(2);
    });
  });

  describe('Airflow: DAGs that run, logs that can be read', () => {
    const inOrder = applied(env);
    const migrate = inOrder.find((j) => j.kind === 'Job' && j.metadata.name.startsWith('airflow-db-migrate-'))!;
    const createUser = inOrder.find((j) => j.kind === 'Job' && j.metadata.name.startsWith('airflow-create-user-'))!;
    const wave = waveOf;
    const scheduler = inOrder.find((c) => c.kind === 'Deployment' && c.metadata.name === 'airflow-scheduler')!;
    const webserver = inOrder.find((c) => c.kind === 'Deployment' && c.metadata.name === 'airflow-webserver')!;

    it("migrates the database and creates the admin user in plain Jobs of the components' wave that retry for a day, and the rest waits for the migration", () => {
      expect(podSpec(migrate).containers[0].command).toEqual(['airflow', 'db', 'migrate']);
      expect(podSpec(createUser).containers[0].command).toEqual(['airflow', 'users', 'create']);
      for (const job of [migrate, createUser]) {
        // No hook: a hook in the last wave would make Argo CD wait for the whole wave's health.
        expect(job.metadata.annotations?.['argocd.argoproj.io/hook'], job.metadata.name).toBeUndefined();
        expect(wave(job)).toBe(wave(scheduler));
        // Its pod restarts for a day while the database does not answer; backoffLimit never ends that sooner.
        expect(at(job, 'spec.activeDeadlineSeconds')).toBe(86400);
        expect(podSpec(job).restartPolicy).toBe('OnFailure');
        expect(at(job, 'spec.backoffLimit') * 60).toBeGreaterThanOrEqual(86400);
        // No TTL: Argo CD's self-heal would recreate a Job the TTL controller deleted, and run it again.
        expect(at(job, 'spec.ttlSecondsAfterFinished')).toBeUndefined();
        expect(job.metadata.name).toMatch(/-[0-9a-f]{8}$/);
      }
      expect(wave(webserver)).toBe(wave(scheduler));
      // kubectl applies the Jobs first (by name: the user creation before the migration); it and
      // each component wait for the migrations, so the order within the wave does not matter.
      expect(Math.max(inOrder.indexOf(migrate), inOrder.indexOf(createUser))).toBeLessThan(Math.min(inOrder.indexOf(scheduler), inOrder.indexOf(webserver)));
      for (const c of [scheduler, webserver, createUser]) expect(podSpec(c).initContainers[0].command.slice(0, 3), c.metadata.name).toEqual(['airflow', 'db', 'check-migrations']);
    });

    it('sizes the schedulers\' memory limit to the tasks each runs at once, at the memory stated per task', () => {
      const { tasks } = WORKLOADS.airflow.settings;
      const container = podSpec(scheduler).containers[0];
      expect(container.env).toContainEqual({ name: 'AIRFLOW__CORE__PARALLELISM', value: String(tasks.parallelism) });
      expect(parseQuantity(container.resources.limits.memory)).toBe(2 ** 30 + tasks.parallelism * parseQuantity(tasks.memory));
      expect(at(scheduler, 'spec.template.metadata.annotations')['karpenter-as-code.io/airflow-task-memory']).toBe(tasks.memory);
    });

    it('takes the admin password from the Secret, never from the manifest', () => {
      const container = podSpec(createUser).containers[0];
      expect(container.args).toContain('$(ADMIN_PASSWORD)');
      expect(container.env).toContainEqual({ name: 'ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'airflow', key: 'admin-password' } } });
    });

    it('delivers DAGs from the Git repository in config with git-sync, before the scheduler starts and while it runs', () => {
      const spec = podSpec(scheduler);
      const repo = (c: any) => c.env.find((e: any) => e.name === 'GITSYNC_REPO')?.value;
      expect(spec.initContainers.map((c: any) => c.name)).toEqual(['wait-for-migrations', 'git-sync-init']);
      expect(repo(spec.initContainers[1])).toBe(WORKLOADS.airflow.settings.dags.repo);
      expect(repo(spec.containers.find((c: any) => c.name === 'git-sync'))).toBe(WORKLOADS.airflow.settings.dags.repo);
      expect(spec.containers[0].env).toContainEqual({ name: 'AIRFLOW__CORE__DAGS_FOLDER', value: '/opt/airflow/dags/repo/dags' });
    });

    it("writes task logs to the environment's S3 prefix through the service account's IAM role", () => {
      const expected = env.workloads?.airflow?.settings?.logs;
      for (const c of [scheduler, webserver]) {
        const vars = podSpec(c).containers[0].env;
        expect(vars).toContainEqual({ name: 'AIRFLOW__LOGGING__REMOTE_LOGGING', value: 'True' });
        expect(vars).toContainEqual({ name: 'AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER', value: expected?.remoteBaseFolder });
        expect(podSpec(c).serviceAccountName).toBe('airflow');
      }
      const account = ofKind(env, 'ServiceAccount').find((s) => s.metadata.name === 'airflow' && s.metadata.namespace === 'airflow')!;
      expect(account.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe(expected?.roleArn);
    });
  });

  describe('Spark workers: executors that are not killed mid-job', () => {
    const worker = controllers.find((c) => c.metadata.name === 'spark-worker')!;
    const container = podSpec(worker).containers[0];
    const { worker: sizing } = WORKLOADS.spark.settings;

    it("fits the daemon and an executor sized to what the worker offers within the container's limit", () => {
      const limit = parseQuantity(container.resources.limits.memory);
      const executor = jvmBytes(sizing.executorMemory);
      // The daemon's heap and non-heap; the executor's heap and Spark's default overhead, max(10%, 384Mi).
      const needed = jvmBytes(sizing.daemonMemory) + 256 * 2 ** 20 + executor + Math.max(0.1 * executor, 384 * 2 ** 20);
      expect(needed).toBeLessThanOrEqual(limit);
      expect(container.command).toContain(sizing.executorMemory);
      expect(container.env).toContainEqual({ name: 'SPARK_DAEMON_MEMORY', value: sizing.daemonMemory });
    });

    it('decommissions gracefully on a drain, and scales down slowly', () => {
      expect(container.lifecycle.preStop.exec.command.join(' ')).toContain('kill -PWR 1');
      expect(container.env.find((e: any) => e.name === 'SPARK_WORKER_OPTS').value).toContain('spark.decommission.enabled=true');
      const hpa = ofKind(env, 'HorizontalPodAutoscaler').find((h) => h.metadata.name === 'spark-worker')!;
      expect(at(hpa, 'spec.behavior.scaleDown')).toEqual({ stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] });
      expect(pools.find((p) => p.name === 'spark-exec-arm-ondemand')!.consolidationPolicy).toBe('WhenEmpty');
    });

    it('gives a draining worker protectFor to let its running executors finish, within the pool\'s terminationGracePeriod, and no do-not-disrupt', () => {
      const pool = pools.find((p) => p.name === 'spark-exec-arm-ondemand')!;
      expect(podSpec(worker).terminationGracePeriodSeconds).toBe(durationSeconds(sizing.protectFor));
      expect(durationSeconds(pool.terminationGracePeriod!)).toBeGreaterThanOrEqual(durationSeconds(sizing.protectFor));
      expect(at(worker, 'spec.template.metadata.annotations')?.['karpenter.sh/do-not-disrupt']).toBeUndefined();
      // Expiry drains every busy node regardless of budgets: not every two hours.
      expect(durationSeconds(pool.expireAfter)).toBeGreaterThanOrEqual(24 * 3600);
    });
  });

  describe('GPU AI workers', () => {
    const worker = controllers.find((c) => c.metadata.name === 'ai-worker')!;
    const spec = podSpec(worker);
    const container = spec.containers[0];
    const settings = WORKLOADS['ai-worker'].settings;

    it('is ready once its own Celery worker answers, and has no liveness probe through the broker', () => {
      expect(container.readinessProbe.exec.command.join(' ')).toContain('-d "celery@$HOSTNAME"');
      expect(container.livenessProbe).toBeUndefined();
    });

    it('has no PodDisruptionBudget: on spot capacity only, a budget would hold back evictions a reclaim does not wait for', () => {
      expect(ofKind(env, 'PodDisruptionBudget').filter((p) => p.metadata.namespace === worker.metadata.namespace)).toEqual([]);
    });

    it('talks to the broker from config in the form that runs (Sentinel URLs and the master name), with the password from a Secret', () => {
      const value = (name: string) => container.env.find((e: any) => e.name === name)?.value;
      const broker = settings.broker as { sentinels: string[]; masterName: string };
      expect(value('CELERY_BROKER')).toBe(broker.sentinels.map((s) => `sentinel://:$(REDIS_PASSWORD)@${s}/0`).join(';'));
      expect(JSON.parse(value('CELERY_BROKER_TRANSPORT_OPTIONS'))).toEqual({ master_name: broker.masterName });
      expect(value('CELERY_QUEUES')).toBe(settings.queues.join(','));
      expect(container.env[0]).toEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: settings.passwordSecret } });
    });

    it('writes checkpoints through the IAM role of its service account', () => {
      const account = ofKind(env, 'ServiceAccount').find((s) => s.metadata.name === 'ai-worker')!;
      expect(account.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe(env.workloads?.['ai-worker']?.settings?.checkpoints?.roleArn);
    });

    it('is not do-not-disrupt on spot, and checkpoints inside the two-minute interruption notice', () => {
      expect(at(worker, 'spec.template.metadata.annotations')?.['karpenter.sh/do-not-disrupt']).toBeUndefined();
      expect(spec.terminationGracePeriodSeconds).toBeLessThan(120);
      expect(container.resources).toEqual({ requests: { cpu: '3', memory: '12Gi', 'nvidia.com/gpu': '1' }, limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' } });
    });
  });

  it('keeps Kafka stateful: KRaft, one encrypted gp3 volume per broker, hard zone spread, readiness in sync, no HPA', () => {
    const kafka = controllers.find((c) => c.metadata.name === 'kafka')!;
    expect(kafka.kind).toBe('StatefulSet');
    expect(at(kafka, 'spec.replicas')).toBe(3);
    expect(at(kafka, 'spec.volumeClaimTemplates')[0]).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { storageClassName: 'gp3-encrypted' } });
    const container = podSpec(kafka).containers[0];
    expect(container.env.find((e: any) => e.name === 'KAFKA_PROCESS_ROLES').value).toBe('broker,controller');
    expect(container.env.some((e: any) => e.name === 'KAFKA_ZOOKEEPER_CONNECT')).toBe(false);
    expect(container.readinessProbe.exec.command.join(' ')).toContain('--under-replicated-partitions');
    expect(podSpec(kafka).topologySpreadConstraints[0].whenUnsatisfiable).toBe('DoNotSchedule');
    expect(ofKind(env, 'HorizontalPodAutoscaler').some((h) => at(h, 'spec.scaleTargetRef.name') === 'kafka')).toBe(false);
    const services = ofKind(env, 'Service').filter((s) => s.metadata.namespace === 'kafka');
    expect(services.map((s) => [s.metadata.name, at(s, 'spec.clusterIP') ?? 'ClusterIP']).sort()).toEqual([
      ['kafka', 'ClusterIP'],
      ['kafka-headless', 'None'],
    ]);
  });
});

describe('config/workloads.ts', () => {
  it('names only pools of config/pools.ts', () => {
    for (const entry of Object.values(WORKLOADS)) for (const c of Object.values(entry.components) as ComponentConfig[]) for (const p of c.pools) expect(Object.keys(POOLS)).toContain(p);
  });
});

describe('prerequisites', () => {
  const of = (env: (typeof EXAMPLES)[number]) => COMPOSITION.build(env).prerequisites.map((p) => `${p.kind} ${p.name}`);

  it("lists what each chart's settings name outside the cluster: buckets, IAM roles, the models file system", () => {
    const dev = EXAMPLES.find((e) => e.name === 'dev')!;
    expect(of(dev)).toEqual(expect.arrayContaining([
      'S3 bucket hihypipe-airflow-logs-dev',
      'IAM role arn:aws:iam::111122223333:role/airflow-hihypipe-eks-dev',
      'S3 bucket hihypipe-ai-checkpoints-dev',
      `EFS file system ${dev.modelsFileSystemId}`,
      'Secret airflow',
    ]));
  });

  it('drops those of a workload the environment does not run', () => {
    const dev = EXAMPLES.find((e) => e.name === 'dev')!;
    const without = { ...dev, workloads: { ...dev.workloads, 'ai-worker': { enabled: false } } } as typeof dev;
    expect(of(without).filter((p) => p.includes('ai-checkpoints') || p.startsWith('EFS file system') || p === 'Secret redis')).toEqual([]);
  });
});

describe('what the output was before issue 23 item 8, the rules now refuse', () => {
  const prod = EXAMPLES.find((e) => e.name === 'prod')!;
  const rules = ['pdb-spot', 'disruption-window', 'liveness-external', 'airflow-parallelism'];
  const found = (change: (objects: any[]) => void) => {
    const objects = JSON.parse(JSON.stringify(applied(prod)));
    change(objects);
    return validate(objects.map((object: any) => ({ object })), { prerequisites: COMPOSITION.build(prod).prerequisites }).findings.filter((f) => rules.includes(f.rule)).map((f) => `${f.rule} ${f.object.kind}/${f.object.name}`);
  };
  const named = (objects: any[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

  it('passes the output as it is', () => {
    expect(found(() => undefined)).toEqual([]);
  });

  it("refuses the GPU workers' budget of one pod, and their liveness probe through the broker", () => {
    expect(found((objects) => objects.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'ai-worker', namespace: 'ai' }, spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'ai-worker' } } } }))).toEqual(['pdb-spot PodDisruptionBudget/ai-worker']);
    expect(found((objects) => {
      const worker = named(objects, 'Deployment', 'ai-worker').spec.template.spec.containers[0];
      worker.livenessProbe = { exec: { command: ['/bin/sh', '-c', 'celery -A app inspect ping --timeout 10 -d "celery@$HOSTNAME"'] }, periodSeconds: 30, failureThreshold: 3 };
    })).toEqual(['liveness-external Deployment/ai-worker']);
  });

  it("refuses the Spark workers' one-hour do-not-disrupt with 15 minutes to decommission, on a pool that drains for 30", () => {
    expect(found((objects) => {
      const worker = named(objects, 'Deployment', 'spark-worker').spec.template;
      worker.metadata.annotations = { ...worker.metadata.annotations, 'karpenter.sh/do-not-disrupt': '1h' };
      worker.spec.terminationGracePeriodSeconds = 900;
      Object.assign(named(objects, 'NodePool', 'spark-exec-arm-ondemand').spec.template.spec, { expireAfter: '2h', terminationGracePeriod: '30m' });
    })).toEqual(['disruption-window Deployment/spark-worker']);
  });

  it("refuses the Airflow schedulers at Airflow's default parallelism in 4Gi", () => {
    expect(found((objects) => {
      const scheduler = named(objects, 'Deployment', 'airflow-scheduler').spec.template.spec.containers[0];
      scheduler.env = scheduler.env.filter((e: any) => e.name !== 'AIRFLOW__CORE__PARALLELISM');
    })).toEqual(['airflow-parallelism Deployment/airflow-scheduler']);
  });
});
