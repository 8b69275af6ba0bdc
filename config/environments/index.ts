import type { EnvironmentConfig } from '../environment-config';
import { dev } from './dev';
import { prod } from './prod';

/** Every environment `main.ts` synthesizes, each into `dist/<name>/`. Adding a cluster is adding an entry. */
export const ENVIRONMENTS: readonly EnvironmentConfig[] = [dev, prod];
