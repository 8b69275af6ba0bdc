// `npm run validate -- <paths...>`: validates Kubernetes manifests (files or folders, multi-document
// YAML or JSON, from any tool) as the API server, Karpenter and the scheduler would judge them.
//
//   --format text|json   report format (default text; json for CI)
//   --admission-only     only what the API server enforces: schema, CEL rules, its own rules
//   --production         production policy too (no @latest AMI)
//   --list-rules         print every rule: id, layer, severity and why it exists
//
// Exit status: 0 valid (warnings allowed), 1 errors found, 2 a file cannot be read or parsed
// or the arguments are wrong.
import { validate } from '../lib/validation';
import { formatJson, formatText } from '../lib/validation/format';
import { LoadError, loadInputs } from '../lib/validation/load';
import { RULE_CATALOG } from '../lib/validation/rules';

const USAGE = 'usage: npm run validate -- [--format text|json] [--admission-only] [--production] <file or folder>...\n       npm run validate -- --list-rules';

function main(argv: readonly string[]): number {
  const paths: string[] = [];
  let format = 'text';
  let admissionOnly = false;
  let production = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--format') format = argv[++i] ?? '';
    else if (arg.startsWith('--format=')) format = arg.slice('--format='.length);
    else if (arg === '--admission-only') admissionOnly = true;
    else if (arg === '--production') production = true;
    else if (arg === '--list-rules') {
      for (const rule of RULE_CATALOG.values()) console.log(`${rule.id.padEnd(26)} ${rule.layer.padEnd(9)} ${rule.severity.padEnd(7)} ${rule.rationale}`);
      return 0;
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return 0;
    } else if (arg.startsWith('-')) {
      console.error(`unknown option '${arg}'\n${USAGE}`);
      return 2;
    } else paths.push(arg);
  }
  if (format !== 'text' && format !== 'json') {
    console.error(`'--format' (${JSON.stringify(format)}) must be text or json\n${USAGE}`);
    return 2;
  }
  if (paths.length === 0) {
    console.error(USAGE);
    return 2;
  }
  let inputs;
  try {
    inputs = loadInputs(paths);
  } catch (error) {
    if (!(error instanceof LoadError)) throw error;
    console.error(error.message);
    return 2;
  }
  const start = process.hrtime.bigint();
  const result = validate(inputs, { admissionOnly, production });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (format === 'json') console.log(formatJson(result, inputs.length));
  else console.log(`${formatText(result, inputs.length)} (${ms.toFixed(0)} ms${admissionOnly ? ', admission checks only' : ''})`);
  return result.errors > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
