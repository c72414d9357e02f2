/** Wiring: kcp and kind behind one MultiProvider, one manager, the app-placement controller. */
import { type Client, type Logger, Manager, MultiProvider, type Provider } from '@kubeloom/core';
import { KindProvider, type KindProviderOptions } from '@kubeloom/kind-provider';
import { appPlacementController } from './app-placement.ts';

/** Options for {@link mixedFleetManager}. */
export interface MixedFleetOptions {
  /** The manager's own cluster (leader election, Events about the manager). */
  local: Client;
  /** The kcp side: an APIExportProvider, or any provider of kcp workspaces. Its clusters become `kcp#<name>`. */
  kcp: Provider;
  /** Options for the kind side (binary, name prefix, interval). Its clusters become `kind#<kind name>`. */
  kind?: KindProviderOptions;
  logger?: Logger;
  /** Passed to the controller: how often each placement is applied again. Default 60 s. */
  resyncMs?: number;
  /** Where `/healthz` and `/readyz` are served; default none. */
  healthProbeBindAddress?: string;
}

/** A manager (not started) running the app-placement controller over kcp workspaces and kind clusters. */
export async function mixedFleetManager(
  options: MixedFleetOptions,
): Promise<{ manager: Manager; provider: MultiProvider; kind: KindProvider }> {
  const logger = options.logger ? { logger: options.logger } : {};
  const kind = new KindProvider({ ...logger, ...options.kind });
  const provider = new MultiProvider(logger);
  await provider.addProvider('kcp', options.kcp);
  await provider.addProvider('kind', kind);
  const manager = new Manager({
    local: options.local,
    provider,
    ...logger,
    ...(options.healthProbeBindAddress ? { healthProbeBindAddress: options.healthProbeBindAddress } : {}),
  });
  manager.add(
    appPlacementController({
      clusters: provider,
      kcpPrefix: `kcp${provider.separator}`,
      kindPrefix: `kind${provider.separator}`,
      ...(options.resyncMs ? { resyncMs: options.resyncMs } : {}),
      controller: { logger: manager.logger, metrics: manager.controllerMetrics },
    }),
  );
  return { manager, provider, kind };
}
