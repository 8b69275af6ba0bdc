/**
 * Every version the output depends on, in one place: a bump is a one-line diff.
 */

/** Karpenter release whose CRDs `imports/` and the validator were generated from. */
export const KARPENTER_VERSION = '1.14.1';

/**
 * AMI alias versions (`<family>@<version>`), pinned: Karpenter recommends against `@latest`
 * outside pre-production, since a faulty AMI then reaches every node at once.
 * AL2023 uses the amazon-eks-ami release tag (`vYYYYMMDD`), Bottlerocket its semver tag.
 * @see https://karpenter.sh/docs/tasks/managing-amis/
 */
export const AMI_VERSIONS = {
  al2023: 'v20250715',
  bottlerocket: 'v1.43.0',
} as const;

/**
 * Container images, each pinned to a release tag. All of them are multi-arch (amd64 and arm64)
 * unless noted, since most pools are Graviton.
 */
export const IMAGES = {
  /** Jenkins agent tool containers (seed 003). */
  python: 'python:3.12.11-slim-bookworm',
  podman: 'quay.io/podman/stable:v5.5.2',
  awsCli: 'amazon/aws-cli:2.27.50',
  /** Apache Kafka in KRaft mode; ZooKeeper is gone from Kafka 4 and from these images. */
  kafka: 'apache/kafka:3.9.1',
  /** Spark standalone master and workers. */
  spark: 'apache/spark:3.5.6',
  /** Airflow webserver and scheduler. */
  airflow: 'apache/airflow:2.10.5',
  /** CPU LLM server with an HTTP API; runs on arm64 (the seed's GPU image is amd64 only). */
  llm: 'ollama/ollama:0.9.6',
  /** The users' Celery GPU worker (seed 001); amd64, like the GPU pools. */
  aiWorker: 'ghcr.io/pinksea-ai/ai-worker:1.0.0',
} as const;

/** Architectures each image is published for, so the validator can match them against pools. */
export const IMAGE_ARCHITECTURES: Readonly<Record<keyof typeof IMAGES, readonly ('amd64' | 'arm64')[]>> = {
  python: ['amd64', 'arm64'],
  podman: ['amd64', 'arm64'],
  awsCli: ['amd64', 'arm64'],
  kafka: ['amd64', 'arm64'],
  spark: ['amd64', 'arm64'],
  airflow: ['amd64', 'arm64'],
  llm: ['amd64', 'arm64'],
  aiWorker: ['amd64'],
};
