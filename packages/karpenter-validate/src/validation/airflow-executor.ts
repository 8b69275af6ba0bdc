import { parseQuantity, formatGiB, isQuantity } from '../quantity';
import { child, KubeObject, Reporter } from './findings';
import { isObject, objectOr, podOf, stringMap } from './pods';

/**
 * An Airflow scheduler that runs its tasks itself (LocalExecutor) holds them in its container:
 * the executor starts `[core] parallelism` worker processes in the scheduler (apache/airflow 2.10
 * airflow/executors/local_executor.py LocalExecutor.start, `QueuedLocalWorker` per slot), each
 * running one task as `airflow tasks run --local` and the task's own process, all counted against
 * the container's memory limit; the Airflow docs warn that this shows as the scheduler's memory
 * and may get it OOM-killed (core-concepts/executor/local.html). Parallelism defaults to 32
 * (airflow/config_templates/config.yml, core.parallelism). The memory of a task is the pod's
 * `karpenter-as-code.io/airflow-task-memory` annotation where it states one, else a floor: a
 * Python interpreter with Airflow imported holds about 100Mi, and a task is two of them.
 */

/** Pod annotation stating the memory one running task takes (a quantity). */
export const TASK_MEMORY_ANNOTATION = 'karpenter-as-code.io/airflow-task-memory';
/** Airflow 2.10's default `[core] parallelism`. */
const DEFAULT_PARALLELISM = 32;
/** Memory a task takes at least where none is stated: two Python processes with Airflow imported. */
const TASK_MEMORY_FLOOR = 200 * 2 ** 20;
/** The scheduler besides its tasks: its loop, the DAG processor manager, its parsing processes. */
export const SCHEDULER_MEMORY = 2 ** 30;

/** Whether a container runs `airflow scheduler`. */
function runsScheduler(container: Record<string, unknown>): boolean {
  const words = [container.command, container.args].flatMap((part) => (Array.isArray(part) ? part.filter((w): w is string => typeof w === 'string') : [])).join(' ');
  return /\bairflow\b.*\bscheduler\b/.test(words);
}

/** Checks that a LocalExecutor scheduler's memory limit holds the tasks it may run at once. */
export function checkAirflowParallelism(object: KubeObject, reporter: Reporter): void {
  const pod = podOf(object);
  if (!pod) return;
  const stated = pod.annotations[TASK_MEMORY_ANNOTATION];
  const perTask = stated !== undefined && isQuantity(stated) ? parseQuantity(stated) : TASK_MEMORY_FLOOR;
  (Array.isArray(pod.spec.containers) ? (pod.spec.containers as unknown[]) : []).forEach((item, index) => {
    if (!isObject(item) || !runsScheduler(item)) return;
    const env = new Map((Array.isArray(item.env) ? (item.env as unknown[]) : []).filter(isObject).map((e) => [String(e.name), e.value]));
    if (env.get('AIRFLOW__CORE__EXECUTOR') !== 'LocalExecutor') return;
    const text = env.get('AIRFLOW__CORE__PARALLELISM');
    const parallelism = typeof text === 'string' && /^[0-9]+$/.test(text) ? Number(text) : DEFAULT_PARALLELISM;
    const limit = stringMap(objectOr(objectOr(item.resources).limits)).memory;
    if (limit === undefined || !isQuantity(limit)) return;
    const needed = SCHEDULER_MEMORY + parallelism * perTask;
    if (needed <= parseQuantity(limit)) return;
    const source = text === undefined ? `parallelism ${parallelism} (Airflow's default: no AIRFLOW__CORE__PARALLELISM)` : `parallelism ${parallelism}`;
    const each = stated !== undefined && isQuantity(stated) ? `${stated} each (${TASK_MEMORY_ANNOTATION})` : `at least ${formatGiB(TASK_MEMORY_FLOOR)} each (state yours in the pod annotation ${TASK_MEMORY_ANNOTATION})`;
    const fits = Math.floor((parseQuantity(limit) - SCHEDULER_MEMORY) / perTask);
    reporter.report(
      'airflow-parallelism',
      child(child(child(child(child(pod.path, 'containers'), index), 'resources'), 'limits'), 'memory'),
      `container ${JSON.stringify(item.name)} runs Airflow's LocalExecutor with ${source}: its tasks run in this container, ${parallelism} x ${each} and the scheduler's own ${formatGiB(SCHEDULER_MEMORY)} make ${formatGiB(needed)}, more than its memory limit ${limit}, so a busy scheduler is OOM-killed with every task it runs. Set AIRFLOW__CORE__PARALLELISM to ${Math.max(fits, 0)} or less, or raise the limit to ${formatGiB(needed)}`,
      limit,
    );
  });
}
