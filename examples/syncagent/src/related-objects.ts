/**
 * Which related objects belong to a primary object, and where their copies go (`related[].object` and
 * `related[].object.namespace`), following upstream's rules:
 *
 * - `reference`: a path evaluated on the primary on *both* sides (the destination primary is already
 *   mutated, so renamed references come out right); scalars or lists; both sides must yield the same
 *   count; pairs with an empty side are skipped; a missing path means "not yet", not an error.
 * - `template`: rendered on both sides with `.Side`, `.Object`, `.ClusterName`, `.ClusterPath`; an empty
 *   result on either side means nothing to sync.
 * - `selector`: `matchLabels` keys and values may be templates (`.LocalObject`, `.RemoteObject`,
 *   `.ClusterName`, `.ClusterPath`; a key rendering empty is dropped); the caller lists the origin side
 *   with the resulting selector and maps each found name through `rewrite`.
 *
 * Only the pure part is here; listing and fetching objects is the sync controller's job.
 */
import { formatLabelSelector } from '@kubeloom/core';
import { compileGoRegexp } from './go-regexp.ts';
import { renderGoTemplate } from './go-template.ts';
import { expandJsonPath, getJsonPathValue, parseJsonPath } from './json-path.ts';
import { gjsonString } from './mutations.ts';
import type {
  RegularExpression,
  RelatedResourceObjectReference,
  RelatedResourceObjectSpec,
} from './published-resource.ts';

/** The primary object on both sides of one related-resource sync. */
export interface RelatedContext {
  /** Where the related objects live: `kcp` or `service`. */
  origin: 'kcp' | 'service';
  /** The primary object on the origin side and on the destination side (both as JSON). */
  originPrimary: Record<string, unknown>;
  destinationPrimary: Record<string, unknown>;
  /** The kcp object's logical cluster and workspace path (empty unless workspace paths are enabled). */
  clusterName: string;
  clusterPath: string;
}

/** How to find related objects (or their namespaces). */
export type RelatedResolution =
  /** Origin name → destination name, known without listing (`reference`, `template`). */
  | { kind: 'mapping'; mapping: Map<string, string> }
  /** List the origin side with `labelSelector`, then map every found name through `rewrite`. */
  | {
      kind: 'selector';
      labelSelector: string;
      rewrite(originName: string, originObject?: Record<string, unknown>): string;
    };

/** The related-object rules could not be evaluated for this primary. */
export class RelatedResolutionError extends Error {
  override readonly name = 'RelatedResolutionError';
}

/**
 * Resolves one `RelatedResourceObjectSpec`. `what` only changes the wording of errors (`names` for
 * objects, `namespaces` for `object.namespace`). Throws {@link RelatedResolutionError}.
 */
export function resolveRelatedObjectSpec(
  spec: RelatedResourceObjectSpec,
  context: RelatedContext,
  what: 'names' | 'namespaces',
): RelatedResolution {
  if (spec.reference) {
    const originValues = resolveReference(context.originPrimary, spec.reference);
    if (originValues.length === 0) return { kind: 'mapping', mapping: new Map() };
    const destinationValues = resolveReference(context.destinationPrimary, spec.reference);
    if (destinationValues.length !== originValues.length) {
      throw new RelatedResolutionError(
        `cannot sync related resources: found ${originValues.length} ${what} on the origin, but ${destinationValues.length} on the destination side`,
      );
    }
    const mapping = new Map<string, string>();
    originValues.forEach((value, i) => {
      const destination = destinationValues[i] as string;
      if (value && destination) mapping.set(value, destination);
    });
    return { kind: 'mapping', mapping };
  }
  if (spec.template) {
    const source = spec.template.template ?? '';
    const originValue = render(
      source,
      { Side: context.origin, Object: context.originPrimary, ...clusterFields(context) },
      'origin',
    );
    const destinationValue = render(
      source,
      {
        Side: context.origin === 'kcp' ? 'service' : 'kcp',
        Object: context.destinationPrimary,
        ...clusterFields(context),
      },
      'destination',
    );
    return {
      kind: 'mapping',
      mapping: originValue && destinationValue ? new Map([[originValue, destinationValue]]) : new Map(),
    };
  }
  if (spec.selector) {
    const { rewrite, matchLabels, matchExpressions } = spec.selector;
    const sides = localAndRemote(context);
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(matchLabels ?? {})) {
      const labelContext = {
        LocalObject: sides.local,
        RemoteObject: sides.remote,
        ...clusterFields(context),
      };
      const renderedKey = key.includes('{{') ? render(key, labelContext, 'label key') : key;
      const renderedValue = value.includes('{{') ? render(value, labelContext, 'label value') : value;
      if (renderedKey) labels[renderedKey] = renderedValue;
    }
    const labelSelector = formatLabelSelector({
      matchLabels: labels,
      ...(matchExpressions ? { matchExpressions } : {}),
    });
    return {
      kind: 'selector',
      labelSelector,
      rewrite: (originName, originObject) => {
        if (rewrite.regex) return applyRegularExpression(originName, rewrite.regex);
        return render(
          rewrite.template?.template ?? '',
          {
            Value: originName,
            RelatedObject: originObject ?? null,
            LocalObject: sides.local,
            RemoteObject: sides.remote,
            ...clusterFields(context),
          },
          'rewrite',
        );
      },
    };
  }
  throw new RelatedResolutionError(
    'invalid object spec: none of reference, template or selector is configured',
  );
}

/**
 * The values a reference path yields on one object: `[]` when the path does not exist (yet); a list's
 * elements for a list (or a `#`/`[*]` path); each trimmed and passed through the optional regex.
 */
export function resolveReference(
  object: Record<string, unknown>,
  reference: RelatedResourceObjectReference,
): string[] {
  const segments = parseJsonPath(reference.path);
  const hasEach = segments.some((s) => s.kind === 'each');
  let values: string[];
  if (hasEach) {
    values = expandJsonPath(object, segments).map((target) =>
      gjsonString(getJsonPathValue(object, target)).trim(),
    );
  } else {
    const found = getJsonPathValue(object, segments);
    if (!found.found) return [];
    values = Array.isArray(found.value)
      ? found.value.map((element: unknown) => gjsonString({ found: true, value: element }).trim())
      : [gjsonString(found).trim()];
  }
  return reference.regex
    ? values.map((v) => applyRegularExpression(v, reference.regex as RegularExpression))
    : values;
}

/** Upstream's regex step: an empty pattern replaces the value, otherwise Go's `ReplaceAllString`. */
function applyRegularExpression(value: string, expression: RegularExpression): string {
  if (!expression.pattern) return expression.replacement ?? '';
  try {
    return compileGoRegexp(expression.pattern).replaceAll(value, expression.replacement ?? '');
  } catch (error) {
    throw new RelatedResolutionError((error as Error).message);
  }
}

function render(source: string, data: unknown, where: string): string {
  try {
    return renderGoTemplate(source, data);
  } catch (error) {
    throw new RelatedResolutionError(`failed to evaluate the ${where} template: ${(error as Error).message}`);
  }
}

function clusterFields(context: RelatedContext): { ClusterName: string; ClusterPath: string } {
  return { ClusterName: context.clusterName, ClusterPath: context.clusterPath };
}

/** Upstream names the service-side primary "local" and the kcp-side one "remote", whatever the origin. */
function localAndRemote(context: RelatedContext): {
  local: Record<string, unknown>;
  remote: Record<string, unknown>;
} {
  return context.origin === 'kcp'
    ? { local: context.destinationPrimary, remote: context.originPrimary }
    : { local: context.originPrimary, remote: context.destinationPrimary };
}
