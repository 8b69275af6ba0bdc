import type { WorkloadName } from '../config/workloads';
import type { WorkloadChartClass } from '../lib/constructs/chart-props';
import { AiWorkerChart } from './ai-worker';
import { AirflowChart } from './airflow';
import { JenkinsChart } from './jenkins';
import { KafkaChart } from './kafka';
import { LlmChart } from './llm';
import { SparkChart } from './spark';

/**
 * The chart of every workload, under its name in config/workloads.ts: the one registry the
 * composition (compose.ts) discovers workloads from. The type holds the two lists together; synth
 * checks them again, since the build strips types.
 */
export const WORKLOAD_CHARTS: { readonly [W in WorkloadName]: WorkloadChartClass<W> } = {
  jenkins: JenkinsChart,
  kafka: KafkaChart,
  spark: SparkChart,
  airflow: AirflowChart,
  llm: LlmChart,
  'ai-worker': AiWorkerChart,
};
