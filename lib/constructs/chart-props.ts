import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Prerequisite } from '../../config/types';
import type { EnvironmentConfig } from '../../config/environment-config';
import type { WorkloadName } from '../../config/workloads';
import type { ResolvedWorkload } from '../config/workload-config';

/** What every workload chart receives: the environment, and its workload resolved for it. */
export interface WorkloadChartProps<W extends WorkloadName = WorkloadName> {
  readonly env: EnvironmentConfig;
  /** The workload's entry with the environment's sizing and settings applied, its pools resolved. */
  readonly workload: ResolvedWorkload<W>;
}

/** A workload chart class, as `charts/index.ts` registers it. */
export type WorkloadChartClass<W extends WorkloadName = WorkloadName> = new (scope: Construct, id: string, props: WorkloadChartProps<W>) => NamespacedChart;

/**
 * A chart for one namespace's workloads. Namespaces themselves are cluster-scoped and live in
 * the platform chart: cdk8s would stamp this chart's namespace onto them.
 */
export class NamespacedChart extends Chart {
  /** What the chart's objects use that it does not create (an S3 bucket its settings name, an IAM role). */
  readonly prerequisites: Prerequisite[] = [];

  constructor(scope: Construct, id: string, namespace: string) {
    super(scope, id, { namespace, disableResourceNameHashes: true });
  }

  /** Declares something from outside the set; it is listed in REPORT.md under Prerequisites. */
  protected requires(prerequisite: Prerequisite): void {
    this.prerequisites.push(prerequisite);
  }
}
