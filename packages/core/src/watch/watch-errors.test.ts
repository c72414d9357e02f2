import { describe, expect, it } from 'vitest';
import { ConfigMapResource } from '../client/builtins.ts';
import { ApiError, ConnectionError, TimeoutError } from '../client/errors.ts';
import { defineResource } from '../client/resource.ts';
import { ResourceNotServedError, WatchFailedError, describeWatchUrl, watchFailure } from './watch-errors.ts';

const url = 'https://kcp.example:6443/clusters/root/api/v1/configmaps';

describe('watch errors', () => {
  it('show URLs without user info or token-like query values', () => {
    expect(
      describeWatchUrl('https://admin:hunter2@kcp.example:6443/clusters/root?access_token=abc123def'),
    ).toBe('https://kcp.example:6443/clusters/root?access_token=[REDACTED]');
  });

  it('name resource, URL and the bare failure, without repeating the request line', () => {
    const refused = new ConnectionError(
      'GET',
      `${url}?watch=1&resourceVersion=7`,
      new Error('other side closed'),
    );
    expect(watchFailure(ConfigMapResource, url, 'watch', refused).message).toBe(
      `watch of configmaps/v1 at ${url} failed: other side closed`,
    );
    const slow = new TimeoutError('GET', `${url}?watch=1&resourceVersion=7&timeoutSeconds=412`, 30_000);
    expect(watchFailure(ConfigMapResource, url, 'watch', slow).message).toBe(
      `watch of configmaps/v1 at ${url} failed: no answer within 30000 ms`,
    );
    const forbidden = new ApiError({
      code: 403,
      status: { reason: 'Forbidden', message: 'no' },
      method: 'GET',
      url,
    });
    const error = watchFailure(ConfigMapResource, url, 'list', forbidden);
    expect(error).toBeInstanceOf(WatchFailedError);
    expect([error.message, error.code, error.phase]).toEqual([
      `list of configmaps/v1 at ${url} failed: 403 Forbidden: no`,
      403,
      'list',
    ]);
  });

  it('turn a 404 into a ResourceNotServedError with the group, version and resource', () => {
    const widgets = defineResource({
      group: 'example.io',
      version: 'v1',
      kind: 'Widget',
      plural: 'widgets',
      namespaced: true,
    });
    const at = 'https://kcp.example:6443/clusters/root/apis/example.io/v1/widgets';
    const notFound = new ApiError({
      code: 404,
      status: { message: '404 page not found\n' },
      method: 'GET',
      url: at,
    });
    const error = watchFailure(widgets, at, 'list', notFound);
    expect(error).toBeInstanceOf(ResourceNotServedError);
    expect(error.message).toMatch(
      /^the server does not serve resource "widgets" of API example\.io\/v1 at https:\/\/kcp\.example:6443\/clusters\/root\/apis\/example\.io\/v1\/widgets \(404 NotFound: 404 page not found\)\. Usually /,
    );
  });
});
