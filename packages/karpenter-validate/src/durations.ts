/**
 * Karpenter duration strings. Karpenter parses them with Go's time.ParseDuration but its CRDs
 * only admit whole `s`, `m` and `h` units (`1h30m`, `720h`), plus `Never` where a field allows
 * it. Days (`30d`) are a common mistake: Go has no day unit.
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

// From the v1.14.1 CRDs: expireAfter/consolidateAfter `^(([0-9]+(s|m|h))+|Never)$`,
// terminationGracePeriod `^([0-9]+(s|m|h))+$`.
const DURATION = /^([0-9]+(s|m|h))+$/;

/** Whether `value` is a duration Karpenter's CRDs accept; `Never` only when `allowNever`. */
export function isKarpenterDuration(value: string, allowNever: boolean): boolean {
  return (allowNever && value === 'Never') || DURATION.test(value);
}

/** Seconds in a Karpenter duration; `Infinity` for `Never`. */
export function durationSeconds(value: string): number {
  if (value === 'Never') return Infinity;
  if (!DURATION.test(value)) throw new Error(`not a Karpenter duration: ${JSON.stringify(value)}`);
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/([0-9]+)(s|m|h)/g)) {
    total += Number(amount) * UNIT_SECONDS[unit!]!;
  }
  return total;
}

// Budget durations: minutes and hours only, cron has no seconds (CRD pattern, with the
// optional trailing 0s that Go's Duration.String() adds).
const BUDGET_DURATION = /^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$/;

/** Whether `value` is a disruption budget duration the CRD accepts. */
export function isBudgetDuration(value: string): boolean {
  return BUDGET_DURATION.test(value);
}
