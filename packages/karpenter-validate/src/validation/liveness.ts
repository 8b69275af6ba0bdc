import { child, KubeObject, Reporter } from './findings';
import { isObject, objectOr, podOf } from './pods';

/**
 * A liveness probe must say whether this container is alive, and nothing else: the kubelet
 * restarts a container whose liveness fails, so a probe that goes through another service fails
 * in every replica at once when that service does, and the kubelet kills them all with the work
 * they were doing (Kubernetes' "Configure Liveness, Readiness and Startup Probes": a liveness
 * probe that fails for reasons outside the container causes cascading failures). Such a check
 * belongs in a readiness probe, which only takes a pod out of its Services. Read here: an HTTP
 * or TCP probe with a `host` other than the pod's own, an exec probe whose command names a
 * Service, a remote host or a remote URL, and Celery's remote-control commands (`celery inspect`,
 * `celery status`, `celery control`), which are broadcast through the broker and answered
 * through it (Celery 5 user guide, workers.html "Remote control").
 */

const LOCAL_HOSTS = new Set(['', 'localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);
// A Service by its cluster DNS name, or any name with a dot followed by a port: another host.
const SERVICE_DNS = /\b[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?\.svc(\.cluster\.local)?\b/;
const URL_HOST = /\b(?:https?|redis|rediss|amqp|amqps|postgres|postgresql|mysql|kafka|grpc|tcp):\/\/(?:[^@/\s]*@)?(\[[^\]]+\]|[^:/\s"'$]+)/g;
const HOST_FLAG = /(?:^|\s)(?:-h|--host|--hostname|-H)(?:\s+|=)(\S+)/g;
const CELERY_REMOTE = /\bcelery\b[^;&|]*\s(inspect|status|control)\b/;

/** Why a liveness probe depends on something outside its container, or undefined. */
export function externalDependency(probe: Record<string, unknown>): string | undefined {
  for (const handler of ['httpGet', 'tcpSocket'] as const) {
    const host = objectOr(probe[handler]).host;
    if (typeof host === 'string' && !LOCAL_HOSTS.has(host)) return `its ${handler} checks host ${host}, not this pod`;
  }
  const command = objectOr(probe.exec).command;
  if (!Array.isArray(command)) return undefined;
  const text = command.filter((part): part is string => typeof part === 'string').join(' ');
  const celery = CELERY_REMOTE.exec(text);
  if (celery) return `\`celery ${celery[1]}\` is a remote-control command, sent and answered through the broker`;
  const service = SERVICE_DNS.exec(text);
  if (service) return `its command reaches Service ${service[0]}`;
  for (const match of text.matchAll(URL_HOST)) {
    if (!LOCAL_HOSTS.has(match[1]!)) return `its command reaches ${match[1]}`;
  }
  for (const match of text.matchAll(HOST_FLAG)) {
    const host = match[1]!.replace(/^["']|["']$/g, '');
    if (!LOCAL_HOSTS.has(host) && !host.startsWith('$')) return `its command reaches host ${host}`;
  }
  return undefined;
}

/** Checks the liveness probes of an object's pod template. */
export function checkLiveness(object: KubeObject, reporter: Reporter): void {
  const pod = podOf(object);
  if (!pod) return;
  (Array.isArray(pod.spec.containers) ? (pod.spec.containers as unknown[]) : []).forEach((item, index) => {
    if (!isObject(item) || item.livenessProbe === undefined) return;
    const container = item;
    const why = externalDependency(objectOr(container.livenessProbe));
    if (why === undefined) return;
    reporter.report(
      'liveness-external',
      child(child(child(pod.path, 'containers'), index), 'livenessProbe'),
      `container ${JSON.stringify(container.name)} has a liveness probe that depends on another service: ${why}. When that service fails or fails over, the probe fails in every replica at once and the kubelet restarts them all, killing the work they were doing. Check only this container in the liveness probe (or leave it out: a process that exits ends its container anyway) and move the check to the readiness probe`,
    );
  });
}
