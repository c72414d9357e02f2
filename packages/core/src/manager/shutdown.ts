/** Waits for every promise to settle or for `deadline` (epoch ms); true if all settled in time. */
export async function settleBy(
  promises: ReadonlyArray<Promise<unknown> | undefined>,
  deadline: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.allSettled(promises.filter((p) => p !== undefined)).then(() => true);
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([all, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The steps of a graceful shutdown, in the order {@link shutDownGracefully} takes them. */
export interface ShutdownSteps {
  /**
   * Stop the runnables and wait for them to drain, until `deadline` (epoch ms); returns the names of those
   * that had not finished by then (empty when all did).
   */
  drainRunnables(deadline: number): Promise<string[]>;
  /** Stop the provider and the local cluster (their informers and watches); resolves when the provider has returned. */
  stopClusters(deadline: number): Promise<void>;
  /** End every remaining cluster engagement. */
  endEngagements(): void;
  /** Stop campaigning and release the Lease, if this replica holds it. */
  releaseLeadership(): Promise<void>;
  /** Close the HTTP endpoints and the connections the manager opened. */
  closeConnections(): Promise<void>;
  /** Write out what the logger still buffers. */
  flushLogs(): Promise<void>;
  /** Where the progress is told. */
  log: { info(message: string): void; warn(fields: object, message: string): void };
}

/**
 * A graceful shutdown: runnables first (readiness is already off, so no new traffic arrives; in-flight
 * reconciles keep their clusters while they drain), up to `gracefulShutdownMs`; then the provider and
 * the local cluster (given at least another second to return), the engagements left, the Lease (so a
 * standby takes over without waiting for it to expire), the servers and connections; logs flushed last so
 * that every line above reaches its destination.
 */
export async function shutDownGracefully(steps: ShutdownSteps, gracefulShutdownMs: number): Promise<void> {
  steps.log.info('shutting down');
  const deadline = Date.now() + gracefulShutdownMs;
  const left = await steps.drainRunnables(deadline);
  if (left.length > 0) {
    steps.log.warn(
      { runnables: left },
      `runnables did not finish within ${gracefulShutdownMs} ms: ${left.join(', ')}; shutting down anyway`,
    );
  }
  await steps.stopClusters(Math.max(deadline, Date.now() + 1000));
  steps.endEngagements();
  await steps.releaseLeadership();
  await steps.closeConnections();
  steps.log.info('shutdown complete');
  await steps.flushLogs();
}
