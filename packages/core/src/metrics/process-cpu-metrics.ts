import type { Registry } from 'prom-client';
import { promClient } from './prom-client.ts';

/**
 * Registers `process_cpu_user_seconds_total`, `process_cpu_system_seconds_total` and
 * `process_cpu_seconds_total` (prom-client's and Go's names): the process's CPU time since it started,
 * read from `process.cpuUsage()` at each scrape.
 */
export function registerProcessCpuMetrics(registry: Registry): void {
  const { Counter } = promClient();
  let last = { user: 0, system: 0 };
  // A registry collects its series in the order they were registered: the first one reads the clock for all three.
  const user = new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    registers: [registry],
    collect() {
      const now = process.cpuUsage();
      const userS = (now.user - last.user) / 1e6;
      const sys = (now.system - last.system) / 1e6;
      last = now;
      user.inc(userS);
      system.inc(sys);
      total.inc(userS + sys);
    },
  });
  const system = new Counter({
    name: 'process_cpu_system_seconds_total',
    help: 'Total system CPU time spent in seconds.',
    registers: [registry],
  });
  const total = new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    registers: [registry],
  });
}
