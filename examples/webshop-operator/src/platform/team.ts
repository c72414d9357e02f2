import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import type { RunningManager } from './background-manager.ts';
import { type ExportRef, type PublishedExpectation, waitForPublishedExport } from './export-ref.ts';
import { type TeamAgentOptions, startTeamAgent } from './team-agent.ts';

/** A provider team: its workspace, its export, and what it runs (agent, stand-in operator). */
export interface ProviderTeam {
  readonly workspace: KcpWorkspace;
  readonly exportRef: ExportRef;
  /** Stops the team's agent and stand-in. */
  stop(): Promise<void>;
}

/** Stops every one of `running`, in reverse start order, even when one fails; rethrows the first failure. */
export async function stopAll(running: readonly RunningManager[]): Promise<void> {
  let failure: unknown;
  for (const r of running.toReversed()) {
    await r.stop().catch((error: unknown) => {
      failure ??= error;
    });
  }
  if (failure !== undefined) throw failure;
}

/** What {@link runProviderTeam} starts for a team whose workspace, export and PublishedResources exist. */
export interface ProviderTeamRun {
  workspace: KcpWorkspace;
  /** The team's APIExport. */
  exportName: string;
  agent: TeamAgentOptions;
  /** Starts the operator the team's API stands for. */
  startStandIn: () => RunningManager;
  /** What the agent must have published before tenants can bind. */
  published: PublishedExpectation;
}

/**
 * Starts the team's syncagent and stand-in operator and waits until the export is published; stops both
 * again if that fails.
 */
export async function runProviderTeam(run: ProviderTeamRun): Promise<ProviderTeam> {
  const running = [await startTeamAgent(run.agent)];
  try {
    running.push(run.startStandIn());
    const exportRef = await waitForPublishedExport(
      run.agent.kcp,
      run.workspace.path,
      run.exportName,
      run.published,
    );
    return { workspace: run.workspace, exportRef, stop: () => stopAll(running) };
  } catch (error) {
    await stopAll(running).catch(() => {});
    throw error;
  }
}
