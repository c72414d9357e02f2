import { afterEach, beforeEach } from 'vitest';
import type { Client } from '../client/client.ts';
import type { KubeObject } from '../client/object.ts';
import { defineResource } from '../client/resource.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
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

/** The fake API server of one test, serving Widgets, and a client for it. */
export interface WidgetServer {
  server: FakeApiServer;
  client: Client;
}

/**
 * Starts a fake API server that serves Widgets (with the status subresource) before each test of the file
 * and stops it after; read `server` and `client` from the returned object inside the tests.
 */
export function serveWidgets(): WidgetServer {
  const fake = {} as WidgetServer;
  beforeEach(async () => {
    fake.server = await FakeApiServer.start({
      resources: [{ resource: WidgetResource, statusSubresource: true }],
    });
    fake.client = fake.server.client();
  });
  afterEach(() => fake.server.stop());
  return fake;
}
