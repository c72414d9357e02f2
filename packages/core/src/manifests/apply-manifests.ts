import type { Client } from '../client/client.ts';
import type { KubeObject } from '../client/object.ts';
import { NoMatchError, RestMapper } from '../client/rest-mapper.ts';
import { waitFor } from '../util/wait-for.ts';
import { ManifestApplyError, describeOrigin } from './manifest-error.ts';
import { type Manifest, manifestOrigin } from './parse-manifests.ts';

/** Options for {@link applyManifests}. */
export interface ApplyManifestsOptions {
  /** Owner of the applied fields. Default `kubeloom`. */
  fieldManager?: string;
  /**
   * Take over fields another field manager owns. Default false: such a conflict fails with a 409 that names
   * the other manager, as `kubectl apply --server-side` does.
   */
  force?: boolean;
  /** Namespace for namespaced manifests that name none. Default `default`. */
  namespace?: string;
  /**
   * Maps each manifest's `apiVersion`/`kind` to its resource. Default a new {@link RestMapper} on `client`;
   * pass one to share its discovery cache between calls.
   */
  mapper?: RestMapper;
  /** `'All'` to have the server validate and admit everything without persisting it. */
  dryRun?: 'All';
  /**
   * How long to wait for a kind to be served when a CustomResourceDefinition was applied earlier in the same
   * call (the API server needs a moment to serve a new CRD). Default 30 s. Kinds no earlier manifest could
   * have installed fail at once.
   */
  crdWaitMs?: number;
  /** Stops applying (between manifests, and the request in flight). */
  signal?: AbortSignal;
}

const crdKind = 'CustomResourceDefinition';

/**
 * Applies manifests (from {@link loadManifests} / {@link parseManifests}, or objects of your own) one by one,
 * in order, with server-side apply. Each manifest's resource is found through the server's discovery
 * ({@link RestMapper}), which is read again on a miss, so a custom resource can follow the CRD that defines
 * it in the same file. Stops at the first failure with a {@link ManifestApplyError} naming the manifest and
 * where it came from. Returns what the server stored, in order.
 *
 * @example
 * ```ts
 * const manifests = await loadManifests('app.yaml');
 * await applyManifests(client, manifests, { fieldManager: 'my-installer' });
 * ```
 */
export async function applyManifests(
  client: Client,
  manifests: readonly KubeObject[],
  options: ApplyManifestsOptions = {},
): Promise<KubeObject[]> {
  const mapper = options.mapper ?? new RestMapper(client);
  const fieldManager = options.fieldManager ?? 'kubeloom';
  const applied: KubeObject[] = [];
  let crdApplied = false;
  for (const manifest of manifests) {
    options.signal?.throwIfAborted();
    try {
      const resource = await resourceOf(mapper, manifest, crdApplied, options);
      const { namespace: given, ...metadata } = manifest.metadata ?? {};
      // A cluster-scoped object has no namespace; one written on it anyway is dropped, as kubectl does.
      const body = resource.namespaced
        ? { ...manifest, metadata: { ...metadata, namespace: given || options.namespace || 'default' } }
        : { ...manifest, metadata };
      applied.push(
        await client.apply(resource, body, {
          fieldManager,
          force: options.force ?? false,
          ...(options.dryRun ? { dryRun: options.dryRun } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
      if (manifest.kind === crdKind) crdApplied = true;
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new ManifestApplyError(
        `applyManifests: ${describeManifest(manifest)} failed after ${applied.length} applied: ${err instanceof Error ? err.message : String(err)}`,
        manifest,
        applied,
        err,
      );
    }
  }
  return applied;
}

/** The manifest's resource; waits for it to be served if a CRD applied in this call may define it. */
async function resourceOf(
  mapper: RestMapper,
  manifest: KubeObject,
  crdApplied: boolean,
  options: ApplyManifestsOptions,
) {
  const { apiVersion, kind } = manifest as Partial<Manifest>;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) {
    throw new TypeError('the manifest needs apiVersion and kind');
  }
  try {
    return await mapper.resourceFor(apiVersion, kind);
  } catch (err) {
    if (!(err instanceof NoMatchError) || !crdApplied) throw err;
  }
  let last: unknown;
  return waitFor(
    () =>
      mapper.resourceFor(apiVersion, kind).catch((err: unknown) => {
        if (!(err instanceof NoMatchError)) throw err;
        last = err;
        return undefined;
      }),
    {
      what: `${kind} ${apiVersion} to be served after its CustomResourceDefinition was applied`,
      timeoutMs: options.crdWaitMs ?? 30_000,
      intervalMs: 500,
      retryOn: (err) => err instanceof NoMatchError,
      describe: () => (last instanceof Error ? last.message : 'not served yet'),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
}

/** `ConfigMap shop/settings (from app.yaml, document 2 (line 9))`. */
function describeManifest(manifest: KubeObject): string {
  const { namespace, name } = manifest.metadata ?? {};
  const origin = manifestOrigin(manifest);
  return `${manifest.kind ?? 'an object'} ${namespace ? `${namespace}/` : ''}${name ?? '(no name)'}${origin ? ` (from ${describeOrigin(origin)})` : ''}`;
}
