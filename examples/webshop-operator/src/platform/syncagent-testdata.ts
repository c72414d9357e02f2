import { fileURLToPath } from 'node:url';

/**
 * A file of examples/syncagent's testdata (the workshop's manifests, the CloudNativePG and PublishedResource
 * CRDs). Resolved through the package, so it works from this example's sources and from its build output.
 */
export function syncagentTestdata(name: string): string {
  return fileURLToPath(
    new URL(`../testdata/${name}`, import.meta.resolve('@kubeloom/example-syncagent/sync-agent')),
  );
}
