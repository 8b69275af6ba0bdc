/** PromQL checked with Prometheus' own grammar and Karpenter's metric list, and the labels a ServiceMonitor's scrape leaves on a series. */
export * from './monitoring/promql';
export * from './monitoring/scrape-labels';
