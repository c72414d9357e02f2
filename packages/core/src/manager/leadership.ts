import type { Client } from '../client/client.ts';
import type { Logger } from '../log/logger.ts';
import { type ElectionOutcome, type LeaderElectionOptions, LeaderElector } from './leader-elector.ts';

/** What {@link Leadership} needs from the manager. */
export interface LeadershipOptions {
  /** The local cluster's client: where the Lease lives. */
  client: Client;
  /** Leader election settings; off when undefined or `enabled: false`. */
  election: LeaderElectionOptions | undefined;
  logger: Logger;
  /** Told whether this replica leads, for the leader-election status metric. */
  onStatus(leaseName: string, leading: boolean): void;
  /** Whether the manager still runs: leadership won while it shuts down is not taken up. */
  mayLead(): boolean;
  /** This replica may now run leader-only work. */
  onElected(): void;
  /** This replica lost the Lease: leader-only work must stop at once. */
  onLost(): void;
}

/**
 * Whether this replica may do leader-only work. With leader election it campaigns for a Lease in the local
 * cluster and follows it; without, it leads from start to stop. The manager's runnables and readiness ask
 * it; it tells the manager when leadership is won and lost.
 */
export class Leadership {
  /** Resolves when this replica becomes leader. Never rejects. */
  readonly elected: Promise<void>;
  readonly #elector: LeaderElector | undefined;
  readonly #electedSignal = Promise.withResolvers<void>();
  readonly #lifetime = new AbortController();
  readonly #options: LeadershipOptions;
  #leading = false;
  #run: Promise<ElectionOutcome> | undefined;

  constructor(options: LeadershipOptions) {
    this.#options = options;
    this.elected = this.#electedSignal.promise;
    const election = options.election;
    if (election && (election.enabled ?? true)) {
      this.#elector = new LeaderElector(options.client, {
        ...election,
        logger: options.logger,
        onStatus: (leading) => options.onStatus(election.leaseName, leading),
        onStartedLeading: () => this.#won(),
        onStoppedLeading: () => this.#lost(),
      });
      options.onStatus(election.leaseName, false);
    }
  }

  /** Whether leader election is on: then runnables that need it wait for {@link elected}. */
  get enabled(): boolean {
    return this.#elector !== undefined;
  }

  /** Whether this replica may do leader-only work now. */
  get leading(): boolean {
    return this.#leading;
  }

  /** The elector, when leader election is on (its identity and Lease, for logs). */
  get elector(): LeaderElector | undefined {
    return this.#elector;
  }

  /** Campaigns for the Lease, or (without leader election) leads at once. */
  begin(): void {
    if (this.#elector) this.#run = this.#elector.run(this.#lifetime.signal);
    else this.#won();
  }

  /** Stops campaigning and releases the Lease if held; resolves when the elector has returned. */
  async end(): Promise<void> {
    this.#lifetime.abort();
    if (this.#run) await this.#run;
    this.#leading = false;
  }

  #won(): void {
    if (!this.#options.mayLead()) return;
    this.#leading = true;
    this.#electedSignal.resolve();
    this.#options.onElected();
  }

  #lost(): void {
    this.#leading = false;
    this.#options.onLost();
  }
}
