import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { karpenterScheduleError } from '../lib/config/pools';
import { GO_TIER, ROOT, runOracle } from './oracle';
import { budgetScheduleCorpus } from './oracle/karpenter-budget/corpus';

/**
 * Disruption budget schedules as Karpenter 1.14.1 parses them (oracle/karpenter-budget runs its
 * Budget.IsActive: cron.ParseStandard("TZ=UTC " + schedule)), against lib/config/pools.ts's check
 * (packages/karpenter-validate/src/validation/robfig-cron.ts with descriptors). The verdicts are recorded in
 * test/oracle/karpenter-budget/verdicts.json, so that the check is held to them without Go; with
 * Go, the oracle must still say exactly what was recorded. Set KARPENTER_AS_CODE_RECORD=1 to
 * record them again.
 */
interface Verdicts {
  readonly karpenter: string;
  readonly verdicts: readonly { readonly schedule: string; readonly parses: boolean; readonly error?: string }[];
}

const RECORDED = join(ROOT, 'test', 'oracle', 'karpenter-budget', 'verdicts.json');
const recorded = (): Verdicts => JSON.parse(readFileSync(RECORDED, 'utf8')) as Verdicts;

describe('budget schedules, as Karpenter 1.14.1 parses them', () => {
  it('agree with every recorded verdict of Karpenter\'s own parse, 100%', () => {
    const { karpenter, verdicts } = recorded();
    expect(karpenter).toBe('v1.14.1');
    expect(verdicts.map((v) => v.schedule)).toEqual(budgetScheduleCorpus());
    const disagreements = verdicts.filter((v) => (karpenterScheduleError(v.schedule) === undefined) !== v.parses).map((v) => `${JSON.stringify(v.schedule)}: Karpenter ${v.parses ? 'parses it' : `refuses it (${v.error})`}, we ${v.parses ? `refuse it (${karpenterScheduleError(v.schedule)})` : 'accept it'}`);
    expect(disagreements).toEqual([]);
    // Both verdicts occur: the corpus is not all of one kind.
    expect(verdicts.filter((v) => v.parses).length).toBeGreaterThan(40);
    expect(verdicts.filter((v) => !v.parses).length).toBeGreaterThan(40);
  });

  it.runIf(GO_TIER)('are what the oracle says now', () => {
    const now = runOracle<Verdicts>('karpenter-budget', [], JSON.stringify(budgetScheduleCorpus()));
    if (process.env.KARPENTER_AS_CODE_RECORD === '1') writeFileSync(RECORDED, `${JSON.stringify(now, null, 2)}\n`);
    expect(now).toEqual(recorded());
  });
});
