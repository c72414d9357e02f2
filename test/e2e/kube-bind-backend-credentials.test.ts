/**
 * The konnector credentials the kube-bind backend hands out, on a real kcp: tokens from a TokenRequest bound
 * to the kubeconfig Secret, renewed at half-life (driven here by an injected clock, since the shortest
 * lifetime a TokenRequest accepts is 10 minutes), and revoked by deleting the Secret and the ServiceAccount.
 * kcp checks both objects on every request once its authentication cache (10 s) has expired, so revocation
 * takes effect within seconds; these cases measure how many.
 */
import { ApiError, Client, SecretResource, ServiceAccountResource, waitFor } from '@kubeloom/core';
import { installCrds } from '@kubeloom/core/testing';
import { ClusterBindingResource, kubeBindCrdFiles } from '@kubeloom/kube-bind';
import {
  MIN_TOKEN_LIFETIME_SECONDS,
  TOKEN_EXPIRES_ANNOTATION,
  refreshKonnectorKubeconfig,
  revokeKonnectorCredentials,
  setUpConsumerNamespace,
} from '@kubeloom/kube-bind/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { kcpCaData } from './kube-bind-backend-fixture.ts';

/** How long kcp may take to refuse a revoked token: its 10 s cache plus informer lag on a loaded machine. */
const REVOCATION_MS = 90_000;

/** What the provider answers a konnector holding `kubeconfig`: 200 or the error code. */
const probe = async (kubeconfig: string, namespace: string): Promise<number> => {
  const client = Client.fromKubeConfig({ text: kubeconfig });
  try {
    await client.get(ClusterBindingResource, 'cluster', { namespace });
    return 200;
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  } finally {
    await client.rest.pool.close();
  }
};

/** Polls until the provider refuses `kubeconfig` with 401; returns how long that took. */
const untilRefused = async (kubeconfig: string, namespace: string): Promise<number> => {
  const started = Date.now();
  await waitFor(async () => (await probe(kubeconfig, namespace)) === 401, {
    what: 'the provider to refuse the revoked token (401)',
    timeoutMs: REVOCATION_MS,
    intervalMs: 250,
  });
  return Date.now() - started;
};

describe('kube-bind backend: konnector credentials on kcp', { timeout: 300_000 }, () => {
  let admin: Client;
  let options: { externalServer: string; certificateAuthorityData?: string; tokenLifetimeSeconds: number };

  beforeAll(async () => {
    const kcp = await sharedKcp();
    const ws = await kcp.createWorkspace({ generateName: 'kb-credentials-', timeoutMs: 240_000 });
    admin = kcp.clientFor(ws.path);
    await installCrds(admin, kubeBindCrdFiles('provider'), { timeoutMs: 120_000 });
    const caData = kcpCaData(kcp.kubeconfigPath);
    options = {
      externalServer: `${kcp.baseUrl}/clusters/${ws.path}`,
      ...(caData ? { certificateAuthorityData: caData } : {}),
      tokenLifetimeSeconds: MIN_TOKEN_LIFETIME_SECONDS,
    };
  }, 300_000);

  const consumer = (n: number) =>
    setUpConsumerNamespace(
      admin,
      { issuer: 'https://idp.example', subject: `user-${n}`, cluster: `cluster-${n}`, author: 'e2e' },
      { ...options, providerPrettyName: 'Credentials Corp' },
    );

  it('renews the token once half of its lifetime has passed on the injected clock, and not before', async () => {
    const { clusterNamespace, kubeconfig } = await consumer(1);
    const binding = await admin.get(ClusterBindingResource, 'cluster', { namespace: clusterNamespace });
    const read = async () => admin.get(SecretResource, 'kubeconfig', { namespace: clusterNamespace });
    const first = await read();
    const expiresAt = Date.parse(first.metadata?.annotations?.[TOKEN_EXPIRES_ANNOTATION] ?? '');
    expect(expiresAt - Date.now()).toBeGreaterThan(590_000);

    const early = await refreshKonnectorKubeconfig(admin, binding, { ...options, now: () => Date.now() });
    expect(early).toBeGreaterThan(290_000);
    expect(early).toBeLessThanOrEqual(300_000);
    expect((await read()).data).toEqual(first.data);

    const halfLife = expiresAt - 300_000;
    const due = await refreshKonnectorKubeconfig(admin, binding, { ...options, now: () => halfLife });
    expect(due).toBe(300_000);
    const renewed = await read();
    expect(renewed.data?.kubeconfig).not.toEqual(first.data?.kubeconfig);
    expect(renewed.metadata?.uid).toBe(first.metadata?.uid);
    const renewedKubeconfig = Buffer.from(renewed.data?.kubeconfig ?? '', 'base64').toString('utf8');
    // Both tokens work: the konnector still holding the old one keeps going until it copies the new one.
    expect(await probe(kubeconfig, clusterNamespace)).toBe(200);
    expect(await probe(renewedKubeconfig, clusterNamespace)).toBe(200);
  });

  it('revokes every token of a consumer by deleting its kubeconfig Secret and ServiceAccount, and renews nothing after', async () => {
    const { clusterNamespace, kubeconfig } = await consumer(2);
    expect(await probe(kubeconfig, clusterNamespace)).toBe(200);
    await revokeKonnectorCredentials(admin, clusterNamespace);
    const ms = await untilRefused(kubeconfig, clusterNamespace);
    process.stderr.write(`[kube-bind credentials] Secret + ServiceAccount deleted: refused after ${ms} ms\n`);
    expect(ms).toBeLessThan(REVOCATION_MS);
    const binding = await admin.get(ClusterBindingResource, 'cluster', { namespace: clusterNamespace });
    // The renewal loop does not resurrect a revoked consumer's credentials.
    await refreshKonnectorKubeconfig(admin, binding, options);
    await expect(admin.get(SecretResource, 'kubeconfig', { namespace: clusterNamespace })).rejects.toThrow(
      /404/,
    );
    // A new bind recreates both, with a token that works.
    const again = await consumer(2);
    expect(again.clusterNamespace).toBe(clusterNamespace);
    expect(await probe(again.kubeconfig, clusterNamespace)).toBe(200);
    expect(await probe(kubeconfig, clusterNamespace)).toBe(401);
  });

  it('a token dies with the Secret it is bound to alone, and with the ServiceAccount alone', async () => {
    const bySecret = await consumer(3);
    await admin.delete(SecretResource, 'kubeconfig', { namespace: bySecret.clusterNamespace });
    const secretMs = await untilRefused(bySecret.kubeconfig, bySecret.clusterNamespace);
    const bySa = await consumer(4);
    await admin.delete(ServiceAccountResource, 'kube-binder', { namespace: bySa.clusterNamespace });
    const saMs = await untilRefused(bySa.kubeconfig, bySa.clusterNamespace);
    process.stderr.write(
      `[kube-bind credentials] Secret deleted: refused after ${secretMs} ms; ServiceAccount deleted: ${saMs} ms\n`,
    );
    expect(Math.max(secretMs, saMs)).toBeLessThan(REVOCATION_MS);
  });
});
