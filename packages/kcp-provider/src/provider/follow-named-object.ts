import {
  type Client,
  type InformerOptions,
  type KubeObject,
  type Logger,
  type ResourceDescriptor,
  SharedInformer,
} from '@kubeloom/core';

/**
 * Watches one object by name (a field-selected watch) and calls `onChange` with its current state, or with
 * `undefined` once it is gone, until `signal` aborts. Providers follow their endpoint object this way: an
 * APIExportEndpointSlice, or a WorkspaceType whose status lists virtual-workspace URLs.
 */
export function followNamedObject<T extends KubeObject>(
  client: Client,
  resource: ResourceDescriptor<T>,
  name: string,
  onChange: (object: T | undefined) => void,
  options: { informerOptions?: InformerOptions | undefined; log: Logger; signal: AbortSignal },
): SharedInformer<T> {
  // The caller's transform is typed for other objects; the rest (timeouts, backoff) applies as it is.
  const { transform: _ignored, ...watchOptions } = options.informerOptions ?? {};
  const informer = new SharedInformer<T>(client, resource, {
    ...watchOptions,
    fieldSelector: `metadata.name=${name}`,
    onError: (err) =>
      options.log.warn({ err: err.message }, `watching ${resource.kind} ${name} failed; retrying`),
  });
  informer.addHandler({
    onAdd: (object) => onChange(object),
    onUpdate: (_old, object) => onChange(object),
    onDelete: () => onChange(undefined),
  });
  informer.start(options.signal);
  return informer;
}
