/**
 * How node cost is estimated (REPORT.md, `npm run plan`, the cost alerts). Karpenter ships
 * on-demand prices for us-east-1 only (pkg/providers/pricing/zz_generated.pricing_aws.go) and no
 * offline spot prices: these are assumptions, stated wherever a cost is shown.
 */
export const PRICING = {
  /**
   * Spot price as a fraction of on-demand. An assumption: AWS quotes savings "up to 90%"; for the
   * g4dn/g5 and Graviton families the pools use, long-run spot prices have mostly sat between 30%
   * and 45% of on-demand. Karpenter itself reads live spot prices; only the estimate uses this.
   */
  spotRatio: 0.4,
  /** Hours in a month, for monthly figures (730 = 8760 / 12). */
  hoursPerMonth: 730,
  /** A pool's cost alert fires above its planned peak cost times this factor (regional prices and spot prices differ from the estimate's). */
  alertFactor: 1.5,
} as const;
