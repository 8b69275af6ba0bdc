import { random } from '../../random';

/**
 * Disruption budget schedules for the karpenter-budget oracle (oracle/karpenter-budget: Karpenter
 * 1.14.1's Budget.IsActive, which parses `TZ=UTC <schedule>` with robfig/cron's standard parser):
 * the mistakes of issue 23 and the forms Karpenter's documents use, then schedules generated
 * from a fixed seed out of the grammar's pieces and near misses (names misspelt, bounds crossed,
 * steps of zero, hyphens and slashes doubled, descriptors, time zones, odd white space).
 */
const SEED = 20260923;

const FIXED: readonly string[] = [
  '0 0 * * mon-fri',
  '0 25 * * mon-fri',
  '0 0 * * mon-fry',
  'TZ=Asia/Seoul 0 9 * * mon-fri',
  'CRON_TZ=UTC 0 9 * * *',
  '@daily',
  '@midnight',
  '@hourly',
  '@weekly',
  '@monthly',
  '@yearly',
  '@annually',
  '@reboot',
  '@every 1h30m',
  '@every 1d',
  '@every 90s',
  '@every',
  '@every ',
  '@every 1.5h',
  '@every -1h',
  '',
  ' ',
  '* * * *',
  '* * * * * *',
  '0 0 31 2 *',
  '*/0 * * * *',
  '1-2-3 * * * *',
  '*/15 9-17 * * 1-5',
  '0 9 * * MON-FRI',
  '0 9 * JAN,dec *',
  '0 9 * * 7',
  '0 9 * * sun',
  '60 * * * *',
  '-1 * * * *',
  '0 0 0 * *',
  '0 0 1 13 *',
  '? ? ? ? ?',
  '0 0 * * 1/2/3',
  '0,,30 * * * *',
  '0\t0 * * *\t*',
  '  0 0 * * *  ',
  '0 0 * * *\u00a0',
  '0 0 * *\u00a0*',
  '0 0 * *\ufeff*',
  '0 0 * *\u0085*',
  '0 0 * * *\u2003',
  '\u00850 0 * * *',
  '0 0 * * 1-5/2',
  '5/15 * * * *',
  '0 0 L * *',
  '0 0 * * 5#3',
  '0 0 1-31/0 * *',
  '9223372036854775807 * * * *',
  '+5 * * * *',
];

// Per field: pieces robfig/cron takes, and near misses it refuses; a generated field draws from
// the first nine times in ten, so that (with the prefixes) both verdicts are common.
const VALID: readonly string[][] = [
  ['*', '?', '0', '5', '30', '59', '*/15', '0-30/10', '5,35'],
  ['*', '0', '9', '17', '23', '9-17', '*/2', '0-23/6'],
  ['*', '1', '15', '31', '1-15', '10/5', '?'],
  ['*', '1', '12', 'jan', 'Dec', 'jan-mar', '*/3', 'JUN'],
  ['*', '0', '6', 'mon', 'fri', 'MON-FRI', 'sat', 'sun-sat', '1-5', '*/2', 'mon,wed,fri', '?'],
];
const NEAR_MISSES: readonly string[][] = [
  ['60', '-1', '+1', 'x', '', '*/0', '5/', '1-2-3'],
  ['24', '17-9', '1-2-3', '*/0', '9-', 'noon'],
  ['32', '0', 'L', '15W', '0-5'],
  ['13', '0', 'janu', 'feb-jan', '1-13'],
  ['7', 'fry', '5-1', 'sat-sun', 'mon-', 'weekday', '5#3'],
];
const PREFIXES: readonly string[] = ['', '', '', '', 'TZ=UTC ', 'TZ=Asia/Seoul ', 'CRON_TZ=Europe/Berlin '];
const SEPARATORS: readonly string[] = [' ', ' ', ' ', ' ', '  ', '\t'];
const DESCRIPTORS: readonly string[] = ['@daily', '@hourly', '@every 5m', '@every 1h', '@every 1x', '@every 0', '@monthly', '@Daily', '@weekly '];

/** The corpus: the fixed schedules, then 400 generated ones. */
export function budgetScheduleCorpus(): string[] {
  const next = random(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const generated: string[] = [];
  for (let i = 0; i < 400; i++) {
    if (next() < 0.1) {
      generated.push(pick(DESCRIPTORS));
      continue;
    }
    const count = next() < 0.85 ? 5 : pick([4, 6]);
    const fields: string[] = [];
    for (let f = 0; f < count; f++) {
      const pieces = (next() < 0.9 ? VALID : NEAR_MISSES)[Math.min(f, 4)]!;
      // Sometimes a list of two pieces.
      fields.push(next() < 0.15 ? `${pick(pieces)},${pick(pieces)}` : pick(pieces));
    }
    generated.push(pick(PREFIXES) + fields.map((field, f) => (f === 0 ? field : `${pick(SEPARATORS)}${field}`)).join(''));
  }
  return [...new Set([...FIXED, ...generated])];
}
