// Types of scripts/oracles.mjs, for the TypeScript that imports it (scripts/verify.ts).
export const root: string;
export class OracleBuildError extends Error {}
export function goToolchain(): { ok: true; version: string } | { ok: false; why: string };
export function oracleNames(): string[];
export function buildOracle(name: string, options?: { log?: (line: string) => void }): string;
