import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { ConfigMapResource, DeploymentResource, NamespaceResource } from './builtins.ts';
import { defineResource } from './resource.ts';
import { NoMatchError, RestMapper } from './rest-mapper.ts';

const widgets = defineResource({
  group: 'example.io',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

describe('RestMapper', () => {
  let server: FakeApiServer;
  beforeEach(async () => {
    server = await FakeApiServer.start({
      resources: [
        ConfigMapResource,
        NamespaceResource,
        DeploymentResource,
        { resource: widgets, statusSubresource: true },
      ],
    });
  });
  afterEach(() => server.stop());

  it('maps kinds to resources with their scope, verbs and subresources', async () => {
    const mapper = new RestMapper(server.client());
    const cm = await mapper.resourceFor('v1', 'ConfigMap');
    expect([cm.plural, cm.namespaced]).toEqual(['configmaps', true]);
    expect((await mapper.resourceFor('v1', 'Namespace')).namespaced).toBe(false);
    const widget = await mapper.resourceFor('example.io/v1', 'Widget');
    expect([widget.group, widget.plural, widget.subresources]).toEqual(['example.io', 'widgets', ['status']]);
    expect(widget.verbs).toContain('watch');
    expect((await mapper.resourceForName('deployments.apps')).kind).toBe('Deployment');
    expect((await mapper.resourceForName('widget')).plural).toBe('widgets');
  });

  it('caches discovery, and reads it again on a miss so that new APIs are found at once', async () => {
    const mapper = new RestMapper(server.client());
    await mapper.resourceFor('v1', 'ConfigMap');
    await mapper.resourceFor('v1', 'ConfigMap');
    const discoveryReads = () => server.requests.filter((r) => r.path === '/api/v1').length;
    expect(discoveryReads()).toBe(1);

    const gadgets = defineResource({
      group: 'example.io',
      version: 'v1',
      kind: 'Gadget',
      plural: 'gadgets',
      namespaced: false,
    });
    await mapper.resources('example.io/v1');
    server.register(gadgets);
    expect((await mapper.resourceFor('example.io/v1', 'Gadget')).plural).toBe('gadgets');
  });

  it('says what is missing and what to do', async () => {
    const mapper = new RestMapper(server.client());
    await expect(mapper.resourceFor('example.io/v1', 'Nope')).rejects.toThrow(NoMatchError);
    await expect(mapper.resourceFor('nowhere.io/v1', 'Thing')).rejects.toThrow(
      /serves no kind Thing in nowhere.io\/v1; install its CRD \(or, in kcp, bind the APIExport that provides it\)/,
    );
  });
});
