import type { Client } from '@kubeloom/core';
import { BackendClient } from '@kubeloom/kube-bind';
import { BindingServer } from '@kubeloom/kube-bind/backend';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startDemoIdentityProvider } from './demo-identity-provider.ts';

describe('the demo identity provider', () => {
  it('logs a user in to a kube-bind backend through its real OIDC flow (authorization code with PKCE)', async () => {
    const provider = await startDemoIdentityProvider();
    onTestFinished(() => provider.stop());
    // The login touches only the identity provider: no workspace is read before /api/templates or /api/bind.
    const backend = new BindingServer({
      client: undefined as unknown as Client,
      providerPrettyName: 'demo',
      oidc: { ...provider.client, allowInsecureIssuer: true },
      externalServer: 'https://kcp.invalid/clusters/root:backend',
      tokenLifetimeSeconds: 3600,
    });
    const url = await backend.listen(0);
    onTestFinished(() => backend.close());
    provider.acceptBackend(`${url}/api/callback`);
    const pages: string[] = [];
    await new BackendClient(url).login(async (loginUrl) => {
      pages.push(loginUrl);
      await provider.signIn(loginUrl, 'observability-team');
    }, 30_000);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toContain(`${url}/api/authorize?`);
  });

  it('answers 503 until the backend is registered, and names what went wrong in a login it cannot finish', async () => {
    const provider = await startDemoIdentityProvider({ clientId: 'other', clientSecret: 's' });
    onTestFinished(() => provider.stop());
    const early = await fetch(`${provider.client.issuer}/.well-known/openid-configuration`);
    expect(early.status).toBe(503);
    expect(provider.client).toMatchObject({ clientId: 'other', clientSecret: 's' });
    await expect(provider.signIn(`${provider.client.issuer}/nowhere`, 'someone')).rejects.toThrow(
      /the identity provider showed an unexpected page at http:\/\/127\.0\.0\.1:\d+\/nowhere \(503\)/,
    );
  });
});
