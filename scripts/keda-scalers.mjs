#!/usr/bin/env node
// Generates packages/karpenter-validate/src/validation/keda-scalers.json: every KEDA scaler and the trigger metadata it reads,
// from KEDA's own generated schema (kedacore/keda v2.20.2 schema/generated/scalers-schema.json):
//
//   npm run keda-scalers -- ../shared/data/keda-v2.20.2 [--output <file>]
//
// Per parameter: whether it may be left out (optional, or a default), its default, the values it
// allows, where KEDA reads it from (trigger metadata; `<name>FromEnv` naming a container env var;
// a TriggerAuthentication), the list separator, and a note when KEDA refuses it (removed) or
// reads it but announces its deprecation (deprecated). One scaler per line,
// sorted, so that a KEDA upgrade reads as a reviewable diff.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { generatorArgs } from './generator-args.mjs';

const { input: dataDir, output } = generatorArgs(['packages', 'karpenter-validate', 'src', 'validation', 'keda-scalers.json'], 'npm run keda-scalers -- <folder with scalers-schema.json>');

const schema = JSON.parse(readFileSync(join(dataDir, 'scalers-schema.json'), 'utf8'));
if (!Array.isArray(schema.scalers)) throw new Error('scalers-schema.json: no "scalers" list');
const version = /keda-v([\d.]+)/.exec(resolve(dataDir))?.[1];
if (!version) throw new Error(`${dataDir}: the folder name must carry the KEDA release (keda-v<version>)`);

const scalers = {};
for (const scaler of [...schema.scalers].sort((a, b) => a.type.localeCompare(b.type))) {
  const parameters = {};
  for (const p of scaler.parameters) {
    const entry = {};
    if (p.optional || p.default !== undefined) entry.optional = true;
    if (p.default !== undefined) entry.default = p.default;
    if (p.allowedValue) entry.allowed = p.allowedValue;
    const from = [p.metadataVariableReadable && 'metadata', p.envVariableReadable && 'env', p.triggerAuthenticationVariableReadable && 'auth'].filter(Boolean);
    entry.from = from;
    if (p.separator) entry.separator = p.separator;
    if (p.rangeSeparator) entry.rangeSeparator = p.rangeSeparator;
    // KEDA's typed config refuses a parameter tagged `deprecated` when it is set, and only announces
    // one tagged `deprecatedAnnounce` (pkg/scalers/scalersconfig/typed_config.go setValue).
    if (p.deprecated !== undefined) entry.removed = p.deprecated;
    if (p.deprecatedAnnounce !== undefined) entry.deprecated = p.deprecatedAnnounce;
    // The schema lists aliases (`address;addresses`) as separate parameters; a name seen twice keeps its first entry.
    if (!(p.name in parameters)) parameters[p.name] = entry;
  }
  scalers[scaler.type] = parameters;
}

const lines = Object.entries(scalers).map(([type, parameters]) => `    ${JSON.stringify(type)}: ${JSON.stringify(parameters)}`);
const text = `{\n  "source": "kedacore/keda v${version} schema/generated/scalers-schema.json (npm run keda-scalers)",\n  "kedaVersion": ${JSON.stringify(version)},\n  "scalers": {\n${lines.join(',\n')}\n  }\n}\n`;
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, text);
console.log(`${Object.keys(scalers).length} scalers written to ${output}`);
