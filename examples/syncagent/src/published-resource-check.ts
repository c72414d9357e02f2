/**
 * Reads a PublishedResource as stored (either shape) and validates it, in one step every controller uses,
 * so all of them agree on which PublishedResources are usable: an invalid one is reported by the schema
 * controller and ignored by the others, and never causes anything to be deleted.
 */
import { formatFieldProblem } from './field-problem.ts';
import type { PublishedResource } from './published-resource.ts';
import { readPublishedResource } from './published-resource-v02.ts';
import { validatePublishedResource } from './validation.ts';

/** A normalised PublishedResource and its problems (`<field path>: <message>`; empty when valid). */
export interface CheckedPublishedResource {
  readonly resource: PublishedResource;
  readonly problems: readonly string[];
}

/** Normalises (v0.2 → current) and validates `raw`. Never throws. */
export function checkPublishedResource(raw: PublishedResource): CheckedPublishedResource {
  const { resource } = readPublishedResource(raw);
  return { resource, problems: validatePublishedResource(resource).map(formatFieldProblem) };
}
