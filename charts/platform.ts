import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment-config';
import { ENCRYPTED_GP3 } from '../lib/constructs/storage';
import { PodSecurityLevel } from '../lib/config/workload-config';

/** A namespace the set creates, with the Pod Security level it enforces and why, when not `restricted`. */
export interface NamespaceSpec {
  readonly name: string;
  readonly level: PodSecurityLevel;
  readonly reason?: string;
}

/** Props of {@link PlatformChart}. */
export interface PlatformChartProps {
  readonly env: EnvironmentConfig;
  /** The namespaces of the environment's workloads. */
  readonly namespaces: readonly NamespaceSpec[];
}

/** Annotation on a namespace that says why it enforces a level below `restricted`. */
export const POD_SECURITY_REASON = 'karpenter-as-code.io/pod-security-reason';

/** Cluster-scoped objects the workloads share: namespaces with their Pod Security level, storage. */
export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const ns of props.namespaces) {
      new k8s.KubeNamespace(this, `ns-${ns.name}`, {
        metadata: {
          name: ns.name,
          labels: {
            'pod-security.kubernetes.io/enforce': ns.level,
            'pod-security.kubernetes.io/enforce-version': 'latest',
            // Audit at `restricted` everywhere, so privileged pods stay visible in the audit log.
            // Warn at the level enforced: a namespace allowed below restricted for a declared
            // reason would otherwise answer every apply of its pods with warnings (Argo CD shows
            // them on each sync, and kube-apiserver returns them to every client), which hide
            // the warnings that matter.
            'pod-security.kubernetes.io/warn': ns.level,
            'pod-security.kubernetes.io/audit': 'restricted',
          },
          annotations: ns.reason ? { [POD_SECURITY_REASON]: ns.reason } : undefined,
        },
      });
    }

    new k8s.KubeStorageClass(this, 'gp3-encrypted', {
      metadata: { name: ENCRYPTED_GP3 },
      provisioner: 'ebs.csi.aws.com',
      // Create the volume in the zone the scheduler picked for the pod, not before.
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      // Broker data outlives an accidental PVC deletion.
      reclaimPolicy: 'Retain',
      parameters: {
        type: 'gp3',
        encrypted: 'true',
        ...(props.env.ebsKmsKeyId ? { kmsKeyId: props.env.ebsKmsKeyId } : {}),
      },
    });
  }
}
