/**
 * Whether a label or annotation key is kcp's own metadata of an object in a workspace (`kcp.io/cluster`,
 * `claimed.internal.apis.kcp.io/...`): it describes where the object lives, so it is never copied to the
 * other side of a binding (the other side's kcp would refuse or rewrite it).
 */
export function isKcpMetadata(key: string): boolean {
  return key.startsWith('kcp.io/') || key.startsWith('claimed.internal.apis.kcp.io/');
}
