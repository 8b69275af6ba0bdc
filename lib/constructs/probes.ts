import { k8s } from 'cdk8s-plus-28';

/** Timing of a probe. */
export interface ProbeTiming {
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

/** An HTTP GET probe on a named or numbered port. */
export function httpProbe(path: string, port: number, timing: ProbeTiming = {}): k8s.Probe {
  return { httpGet: { path, port: k8s.IntOrString.fromNumber(port) }, ...timing };
}

/** A TCP connect probe. */
export function tcpProbe(port: number, timing: ProbeTiming = {}): k8s.Probe {
  return { tcpSocket: { port: k8s.IntOrString.fromNumber(port) }, ...timing };
}

/** A command probe; the command must exit 0 when healthy. */
export function execProbe(command: readonly string[], timing: ProbeTiming = {}): k8s.Probe {
  return { exec: { command: [...command] }, ...timing };
}
