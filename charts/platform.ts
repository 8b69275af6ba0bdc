import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NAMESPACES } from '../config/namespaces';
import { EnvironmentConfig } from '../config/types';
import { ENCRYPTED_GP3, MODELS_VOLUME } from '../lib/storage';

/** Props of {@link PlatformChart}. */
export interface PlatformChartProps {
  readonly env: EnvironmentConfig;
  /** Whether the GPU workers (and so their model volume) are deployed. */
  readonly models: boolean;
}

/** Cluster-scoped objects the workloads need: namespaces with their Pod Security level, storage. */
export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const [name, level] of Object.entries(NAMESPACES)) {
      new k8s.KubeNamespace(this, `ns-${name}`, {
        metadata: {
          name,
          labels: {
            'pod-security.kubernetes.io/enforce': level,
            'pod-security.kubernetes.io/enforce-version': 'latest',
            // Warn and audit at `restricted` everywhere, so privileged pods stay visible.
            'pod-security.kubernetes.io/warn': 'restricted',
            'pod-security.kubernetes.io/audit': 'restricted',
          },
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

    if (props.models) {
      new k8s.KubePersistentVolume(this, 'models', {
        metadata: { name: MODELS_VOLUME.name },
        spec: {
          capacity: { storage: k8s.Quantity.fromString(MODELS_VOLUME.size) },
          accessModes: ['ReadOnlyMany'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: '',
          // Bound to one claim only, so no other namespace can mount the models.
          claimRef: { namespace: MODELS_VOLUME.namespace, name: MODELS_VOLUME.name },
          csi: { driver: 'efs.csi.aws.com', volumeHandle: `${props.env.modelsFileSystemId}:${MODELS_VOLUME.path}`, readOnly: true },
        },
      });
    }
  }
}
