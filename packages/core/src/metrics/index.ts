export * from './controller-metrics.ts';
export * from './manager-metrics.ts';
export * from './metrics-registry.ts';
export * from './prometheus-controller-metrics.ts';
export * from './work-queue-metrics.ts';
export * from './prom-client.ts';
export * from './rest-client-metrics.ts';
export * from './cheap-histogram.ts';
