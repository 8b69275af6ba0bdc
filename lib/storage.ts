/** StorageClass for broker volumes: gp3, encrypted, bound where the pod lands. */
export const ENCRYPTED_GP3 = 'gp3-encrypted';

/** Static EFS volume holding the AI models (seed 001), and its claim in the `ai` namespace. */
export const MODELS_VOLUME = { name: 'ai-models', namespace: 'ai', path: '/models', size: '100Gi' } as const;
