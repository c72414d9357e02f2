import type { KubeObject } from '../client/object.ts';
import { defineResource } from '../client/resource.ts';
import type { Condition } from './conditions.ts';

// Test support for the reconcile helpers: a namespaced custom resource with a status subresource. Not
// shipped (the package's `files` exclude `*.test.*`) and not run as a test (vitest runs `*.test.ts`).

/** A small custom object with spec and status. */
export interface Widget extends KubeObject {
  spec?: { size?: number; color?: string };
  status?: { phase?: string; conditions?: Condition[] };
}

/** widgets.example.com/v1, namespaced; register it with `statusSubresource: true`. */
export const WidgetResource = defineResource<Widget>({
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});
