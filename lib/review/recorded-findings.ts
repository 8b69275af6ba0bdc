/**
 * The validator's warnings and waivers as synth recorded them in an environment's REPORT.md
 * (lib/synth/report.ts writes the sections "Validator warnings" and "Waivers", one bullet each). They
 * are synth's own verdicts: found with the options synth validates with (a complete set, the
 * environment's prerequisites, production rules, its listed placeholders), which the review
 * cannot rebuild without building the environment again; dist/.synthesized-from proves they
 * belong to the dist/ under review. Errors are never recorded: any stops synth.
 */

/** One warning or waiver, as REPORT.md lists it. */
export interface RecordedEntry {
  /** The bullet as REPORT.md writes it (Markdown, without the leading `- `): what is compared with the base. */
  readonly text: string;
  /** The object, as the validator names it: `StatefulSet kafka/kafka`, `NodePool gpu-spot`. */
  readonly object?: string;
  readonly rule?: string;
  /** The JSON path of the field; empty for the whole object. */
  readonly path?: string;
  /** A warning's message, or a waiver's reason. */
  readonly message?: string;
}

/** An environment's recorded warnings and waivers. */
export interface RecordedFindings {
  readonly warnings: readonly RecordedEntry[];
  readonly waivers: readonly RecordedEntry[];
}

/** The section headings of REPORT.md that hold them (lib/synth/report.ts). */
export const WARNINGS_HEADING = '## Validator warnings';
export const WAIVERS_HEADING = '## Waivers';

// lib/synth/report.ts: `- ${describeRef(w.object)}: \`${w.path}\` [${w.rule}] ${w.message}`. A kind and a
// Kubernetes name hold no space, so the object is two words (the name may carry its namespace).
const WARNING = /^(\S+ \S+): `([^`]*)` \[([^\]\s]+)\] ([\s\S]*)$/;
// lib/synth/report.ts: `- ${describeRef(w.object)} waives [${w.rule}] at \`${w.path}\`: ${w.reason}`.
const WAIVER = /^(\S+ \S+) waives \[([^\]\s]+)\] at `([^`]*)`: ([\s\S]*)$/;

/** The bullets of one section: from its heading to the next `## ` heading; a line that is not a bullet continues the one before. */
function bullets(report: string, heading: string): string[] {
  const lines = report.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break;
    if (line.startsWith('- ')) out.push(line.slice(2));
    else if (line !== '' && out.length > 0) out[out.length - 1] += `\n${line}`;
  }
  return out;
}

function warning(text: string): RecordedEntry {
  const m = WARNING.exec(text);
  return m ? { text, object: m[1]!, path: m[2]!, rule: m[3]!, message: m[4]! } : { text };
}

function waiver(text: string): RecordedEntry {
  const m = WAIVER.exec(text);
  return m ? { text, object: m[1]!, rule: m[2]!, path: m[3]!, message: m[4]! } : { text };
}

/**
 * The warnings and waivers of a REPORT.md. A bullet written in another form (a REPORT.md of an
 * older commit, a base the review compares with) keeps its text, without the parsed fields.
 */
export function recordedFindings(report: string): RecordedFindings {
  return { warnings: bullets(report, WARNINGS_HEADING).map(warning), waivers: bullets(report, WAIVERS_HEADING).map(waiver) };
}
