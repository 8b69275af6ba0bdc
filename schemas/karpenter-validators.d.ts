// Types of the generated karpenter-validators.js (see scripts/compile-validators.ts).
import type { ValidateFunction } from 'ajv';

declare function validators(re2Pattern: (pattern: string) => { test(text: string): boolean }): Readonly<Record<string, ValidateFunction>>;
export = validators;
