import { type CustomResourceDefinition, type RequestHandler, enqueueFromMap } from '@kubeloom/core';
import type { PublishedResource } from './published-resource.ts';

/**
 * For controllers keyed by PublishedResource: a CRD event enqueues every PublishedResource (of those
 * `selected()` returns) that publishes the CRD's group and kind, so a CRD installed or changed after its
 * PublishedResource is picked up without waiting for a resync.
 */
export function enqueuePublishersOfCrd(
  selected: () => readonly PublishedResource[],
): RequestHandler<CustomResourceDefinition> {
  return enqueueFromMap((crd) =>
    selected()
      .filter(
        (pr) =>
          pr.spec?.resource?.apiGroup === crd.spec?.group &&
          pr.spec?.resource?.kind === crd.spec?.names?.kind,
      )
      .map((pr) => ({ namespace: '', name: pr.metadata.name ?? '' })),
  );
}
