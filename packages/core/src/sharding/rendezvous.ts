import { createHash } from 'node:crypto';

/** A 48-bit number from SHA-256 of `text`: uniform, stable across processes, platforms and versions. */
function hash48(text: string): number {
  return createHash('sha256').update(text).digest().readUIntBE(0, 6);
}

/**
 * The bucket of a workspace (cluster) name: a fixed hash, so it never changes while the name exists. Buckets
 * are the unit of fencing (one Lease each); see {@link assignBuckets} for how they map to replicas.
 */
export function bucketOf(clusterName: string, buckets: number): number {
  return hash48(`workspace/${clusterName}`) % buckets;
}

/** The rendezvous (highest-random-weight) weight of `member` for `bucket`. */
export function rendezvousWeight(bucket: number, member: string): number {
  return hash48(`bucket/${bucket}/member/${member}`);
}

/** The members in the order `bucket` prefers them (highest weight first; ties broken by name). */
export function rankMembers(bucket: number, members: readonly string[]): string[] {
  return members
    .map((member) => ({ member, weight: rendezvousWeight(bucket, member) }))
    .toSorted((a, b) => b.weight - a.weight || (a.member < b.member ? -1 : 1))
    .map((entry) => entry.member);
}

/** Inputs of {@link assignBuckets}. */
export interface BucketAssignmentInput {
  /** Number of buckets (fencing Leases). */
  readonly buckets: number;
  /** The live replicas' identities. Order does not matter. */
  readonly members: readonly string[];
  /**
   * Workspaces per bucket (`load[b]`), as every replica sees them; missing entries count 0. Used to keep
   * replicas within `1 + balanceSlack` of the average number of workspaces.
   */
  readonly load?: readonly number[];
  /**
   * How far above the average number of workspaces a replica may go before a bucket spills to its next
   * choice. Default 0.1. `Infinity` gives plain rendezvous hashing.
   */
  readonly balanceSlack?: number;
}

/**
 * Which member owns each bucket: rendezvous hashing with bounded loads. Every bucket first goes to the
 * member that ranks highest for it (plain rendezvous hashing). Then, while a member carries more than
 * `(1 + balanceSlack) × average` workspaces, the bucket it has the weakest claim on (lowest weight) moves
 * to the next member in that bucket's ranking with room for it. The answer depends only on the members and
 * loads, so every replica that sees the same ones computes the same assignment.
 *
 * Plain rendezvous hashing moves only the buckets of a member that leaves, and on a join only the buckets
 * the new member ranks first for (about 1/N). The load bound moves a few more when a bucket spills, in
 * exchange for keeping every replica near the average even with few workspaces.
 */
export function assignBuckets(input: BucketAssignmentInput): string[] {
  const members = [...new Set(input.members)].toSorted();
  if (members.length === 0) return [];
  const load = (bucket: number): number => input.load?.[bucket] ?? 0;
  const carried = new Map(members.map((member) => [member, 0]));
  const rankings: string[][] = [];
  const owners: string[] = [];
  let total = 0;
  for (let bucket = 0; bucket < input.buckets; bucket++) {
    const ranking = rankMembers(bucket, members);
    const owner = ranking[0] as string;
    rankings.push(ranking);
    owners.push(owner);
    carried.set(owner, (carried.get(owner) ?? 0) + load(bucket));
    total += load(bucket);
  }
  const cap = Math.ceil((total / members.length) * (1 + (input.balanceSlack ?? 0.1)));
  const room = (member: string, bucket: number): boolean => (carried.get(member) ?? 0) + load(bucket) <= cap;
  for (const member of members) {
    // Buckets this member holds, weakest claim first: those are the ones to spill.
    const spillable = owners
      .map((owner, bucket) => ({ owner, bucket }))
      .filter(({ owner, bucket }) => owner === member && load(bucket) > 0)
      .map(({ bucket }) => bucket)
      .map((bucket) => ({ bucket, weight: rendezvousWeight(bucket, member) }))
      .toSorted((a, b) => a.weight - b.weight)
      .map(({ bucket }) => bucket);
    for (const bucket of spillable) {
      if ((carried.get(member) ?? 0) <= cap) break;
      const target = rankings[bucket]?.find((other) => other !== member && room(other, bucket));
      if (target === undefined) continue;
      owners[bucket] = target;
      carried.set(member, (carried.get(member) ?? 0) - load(bucket));
      carried.set(target, (carried.get(target) ?? 0) + load(bucket));
    }
  }
  return owners;
}
