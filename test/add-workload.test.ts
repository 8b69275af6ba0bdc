import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyProject, parseYaml } from './helpers';

/**
 * README "Add a workload", followed to the letter on a copy of the project: one chart file, its
 * line in the registry, its entry in config/workloads.ts; then `npm run synth`'s two steps.
 * The names are ones no user would pick, so that a user's own additions never clash.
 */
const CHART = `import { Construct } from 'constructs';
import { NamespacedChart, WorkloadChartProps } from '../lib/constructs/chart-props';
import { httpProbe } from '../lib/constructs/probes';
import { WorkloadNetwork } from '../lib/constructs/workload-network';
import { Workload } from '../lib/constructs/workload';

/** An echo server, the README's example of a new workload. */
export class ZzEchoFixtureChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps<'zz-echo-fixture'>) {
    const { workload } = props;
    super(scope, id, workload.namespace);
    const { server } = workload.components;
    const echo = new Workload(this, 'echo', {
      name: 'zz-echo-fixture',
      pools: server.pools,
      replicas: server.minReplicas,
      autoscaling: { maxReplicas: server.maxReplicas, metric: { type: 'cpu', averageUtilization: 70 } },
      services: [{ ports: [{ name: 'http', port: 5678 }] }],
      containers: [
        {
          name: 'echo',
          image: workload.images.echo,
          args: ['-text', workload.settings.text],
          ports: [{ name: 'http', containerPort: 5678 }],
          requests: { cpu: '50m', memory: '32Mi' },
          limits: { cpu: '100m', memory: '64Mi' },
          readinessProbe: httpProbe('/', 5678),
        },
      ],
    });
    new WorkloadNetwork(this, 'network', { workload: workload.name, namespace: workload.namespace }).addComponent('server', { name: 'zz-echo-fixture', workload: echo });
  }
}
`;

describe('adding a workload the way the README says', () => {
  it('is one chart file, its registry line and its config entry, and synth deploys it validated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'add-workload-'));
    try {
      copyProject(dir);
      const edit = (file: string, from: string, to: string) => {
        const text = readFileSync(join(dir, file), 'utf8');
        expect(text, file).toContain(from);
        writeFileSync(join(dir, file), text.replace(from, to));
      };
      // 1. The chart.
      writeFileSync(join(dir, 'charts', 'zz-echo-fixture.ts'), CHART);
      // 2. Its line in the registry.
      edit('charts/index.ts', "import { SparkChart } from './spark';", "import { SparkChart } from './spark';\nimport { ZzEchoFixtureChart } from './zz-echo-fixture';");
      edit('charts/index.ts', "  'ai-worker': AiWorkerChart,", "  'ai-worker': AiWorkerChart,\n  'zz-echo-fixture': ZzEchoFixtureChart,");
      // 3. Its config entry: the type of its entry, and the entry.
      edit('config/workloads.ts', "  readonly 'ai-worker': WorkloadConfig<'worker', 'worker', AiWorkerSettings>;", "  readonly 'ai-worker': WorkloadConfig<'worker', 'worker', AiWorkerSettings>;\n  readonly 'zz-echo-fixture': WorkloadConfig<'server', 'echo', { readonly text: string }>;");
      edit(
        'config/workloads.ts',
        "export const WORKLOADS: WorkloadCatalog = {",
        "export const WORKLOADS: WorkloadCatalog = {\n  'zz-echo-fixture': {\n    namespace: 'zz-echo-fixture',\n    components: { server: { pools: ['default'], minReplicas: 2, maxReplicas: 3 } },\n    images: { echo: { repository: 'hashicorp/http-echo', tag: '1.0.0', architectures: ['amd64', 'arm64'] } },\n    settings: { text: 'hello' },\n    network: { server: {} },\n  },",
      );
      execFileSync(process.execPath, [join(dir, 'scripts', 'build.mjs'), 'main'], { cwd: dir, stdio: 'pipe' });
      const run = spawnSync(process.execPath, [join(dir, '.build', 'main.js')], { cwd: dir, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      for (const env of ['dev', 'prod']) {
        const workloads = parseYaml(readFileSync(join(dir, 'dist', env, '07-workloads.yaml'), 'utf8'));
        const echo = workloads.find((m) => m.metadata.name === 'zz-echo-fixture')!;
        expect(echo.metadata.namespace).toBe('zz-echo-fixture');
        expect((echo.spec as any).template.spec.nodeSelector).toEqual({ workload: 'general' });
        const namespaces = parseYaml(readFileSync(join(dir, 'dist', env, '00-namespaces.yaml'), 'utf8')).map((n) => n.metadata.name);
        expect(namespaces).toContain('zz-echo-fixture');
        expect(readFileSync(join(dir, 'dist', env, 'REPORT.md'), 'utf8')).toContain('| zz-echo-fixture/zz-echo-fixture | Deployment | 2-3 (HPA) | default |');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
