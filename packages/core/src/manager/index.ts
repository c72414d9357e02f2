export type { HealthCheck } from './health-checks.ts';
export * from './leader-elector.ts';
export * from './manager.ts';
export * from './manager-options.ts';
export * from './runnable.ts';
export * from './signal-handlers.ts';
