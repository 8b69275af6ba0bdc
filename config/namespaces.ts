/**
 * Namespaces of the workloads and the Pod Security Admission level each enforces.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export const NAMESPACES = {
  // podman builds images inside the Jenkins agent and needs a privileged container (user
  // namespaces, overlay mounts). Privilege is confined to this namespace; every other one
  // enforces `restricted`.
  ci: 'privileged',
  kafka: 'restricted',
  spark: 'restricted',
  airflow: 'restricted',
  llm: 'restricted',
  ai: 'restricted',
} as const;

/** A namespace this project deploys into. */
export type NamespaceName = keyof typeof NAMESPACES;
