import {
  type ClientEventRecorder,
  ConfigMapResource,
  EventResource,
  silentLogger,
  waitFor,
} from '@kubeloom/core';
import { FakeApiServer, recordingAware } from '@kubeloom/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Endpoint } from './endpoint.ts';
import { EndpointClusterCache } from './endpoint-cluster-cache.ts';
import { EngagedWorkspaces } from './engaged-workspaces.ts';

const plan = (endpoint: Endpoint, name: string) => ({
  endpoint,
  fields: { cluster: name },
  cache: () => new EndpointClusterCache(endpoint, name),
  message: 'engaging workspace',
});

describe('EngagedWorkspaces', () => {
  let server: FakeApiServer;
  let stop: AbortController;

  beforeEach(async () => {
    stop = new AbortController();
    server = await FakeApiServer.start({ resources: [ConfigMapResource, EventResource] });
  });
  afterEach(async () => {
    stop.abort();
    await server.stop();
  });

  it('hands a workspace to the manager after the current callback, once, and stops its events with it', async () => {
    const endpoint = new Endpoint(server.url, server.client(), stop.signal, {}, new Map());
    const aware = recordingAware();
    const workspaces = new EngagedWorkspaces(silentLogger, 'test');
    workspaces.attach(aware);

    const engaged = workspaces.engage('ws-1', plan(endpoint, 'ws-1'));
    if (!engaged) throw new Error('ws-1 was not engaged');
    expect(workspaces.engage('ws-1', plan(endpoint, 'ws-1'))).toBeUndefined();
    expect(aware.engaged).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    expect(aware.live()).toEqual(['ws-1']);
    expect(engaged.cluster.client.rest.server).toBe(`${server.url}/clusters/ws-1`);

    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'default', uid: 'u1' },
    };
    engaged.cluster.events.record(cm, { type: 'Normal', reason: 'Before', message: 'engaged' });
    await waitFor(() => server.objects(EventResource, { cluster: 'ws-1' }).length === 1, {
      what: 'the event of an engaged workspace',
      timeoutMs: 5_000,
    });

    expect(workspaces.disengage('ws-1', 'disengaging workspace', 'test')).toBe(true);
    expect(engaged.signal.aborted).toBe(true);
    expect(workspaces.names()).toEqual([]);
    engaged.cluster.events.record(cm, { type: 'Normal', reason: 'After', message: 'disengaged' });
    // The recorder writes in the background; once it has flushed, a write it made would be on the server.
    await (engaged.cluster.events as ClientEventRecorder).flush();
    expect(server.objects(EventResource, { cluster: 'ws-1' }).map((e) => e.reason)).toEqual(['Before']);
    expect(workspaces.disengage('ws-1', 'disengaging workspace')).toBe(false);
  });

  it('hands over every workspace engaged in one turn together, except one disengaged meanwhile', async () => {
    const endpoint = new Endpoint(server.url, server.client(), stop.signal, {}, new Map());
    const aware = recordingAware();
    const workspaces = new EngagedWorkspaces(silentLogger, 'test');
    workspaces.attach(aware);
    for (const name of ['a', 'b', 'c']) workspaces.engage(name, plan(endpoint, name));
    workspaces.disengage('b', 'disengaging workspace');
    expect(aware.engaged).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    expect(aware.live()).toEqual(['a', 'c']);
    expect(aware.engaged.map((e) => e.name)).toEqual(['a', 'c']);
    workspaces.disengage('a', 'disengaging workspace');
    expect(aware.live()).toEqual(['c']);
  });

  it('ends every engagement of an endpoint when the endpoint stops', async () => {
    const endpoint = new Endpoint(server.url, server.client(), stop.signal, {}, new Map());
    const workspaces = new EngagedWorkspaces(silentLogger, 'test');
    const a = workspaces.engage('a', plan(endpoint, 'a'));
    const b = workspaces.engage('b', plan(endpoint, 'b'));
    expect(workspaces.names()).toEqual(['a', 'b']);
    endpoint.stop();
    expect([a?.signal.aborted, b?.signal.aborted]).toEqual([true, true]);
    expect(workspaces.names()).toEqual([]);
  });
});
