/**
 * The last-known state of every synced kcp object, kept where upstream keeps it: one Secret per primary
 * object (`obj-state-<cluster>-<hash>`) in the agent's namespace on the service cluster, one data key per
 * object. It is what lets a spec sync patch only what changed in kcp, so changes made on the service
 * cluster to other fields survive (a 3-way merge). Names and keys are upstream's, so state written by the
 * Go agent is read back.
 */
import {
  type Client,
  type KubeObject,
  type Secret,
  SecretResource,
  isAlreadyExists,
  isNotFound,
} from '@kubeloom/core';
import {
  identificationLabels,
  objectStateLabel,
  remoteObjectKey,
  stateKey,
  stateSecretName,
  stateSnapshot,
} from './object-identity.ts';

/** Reads and writes last-known states in Secrets of one namespace. */
export class StateStore {
  readonly #client: Client;
  readonly #namespace: string;

  /** `client` is the service cluster's; `namespace` is the agent's (`--namespace`). */
  constructor(client: Client, namespace: string) {
    this.#client = client;
    this.#namespace = namespace;
  }

  /** The stored state of `object` (the primary or one of its related objects), or undefined if none is stored or it is unreadable. */
  async get(
    primary: KubeObject,
    object: KubeObject,
    clusterName: string,
  ): Promise<Record<string, unknown> | undefined> {
    const secret = await this.#read(primary, clusterName);
    const encoded = secret?.data?.[stateKey(object, clusterName)];
    if (!encoded) return undefined;
    try {
      const parsed: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores `object` (metadata stripped, `subresources` removed) as the last-known state. */
  async put(
    primary: KubeObject,
    object: KubeObject,
    clusterName: string,
    subresources: readonly string[],
    options: { isNew?: boolean } = {},
  ): Promise<void> {
    const name = stateSecretName(primary, clusterName);
    const data = {
      [stateKey(object, clusterName)]: Buffer.from(stateSnapshot(object, subresources)).toString('base64'),
    };
    // A new primary has no Secret yet: go straight to the create.
    if (!options.isNew) {
      try {
        await this.#client.patch(SecretResource, name, { data }, { namespace: this.#namespace });
        return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const secret: Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        namespace: this.#namespace,
        labels: {
          [objectStateLabel]: 'true',
          ...identificationLabels(remoteObjectKey(primary, clusterName)),
        },
      },
      data,
    };
    await this.#client.create(SecretResource, secret).catch(async (err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
      await this.#client.patch(SecretResource, name, { data }, { namespace: this.#namespace });
    });
  }

  /** Forgets every state of `primary` (after its copy is gone). */
  async delete(primary: KubeObject, clusterName: string): Promise<void> {
    await this.#client
      .delete(SecretResource, stateSecretName(primary, clusterName), { namespace: this.#namespace })
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
  }

  async #read(primary: KubeObject, clusterName: string): Promise<Secret | undefined> {
    try {
      return await this.#client.get(SecretResource, stateSecretName(primary, clusterName), {
        namespace: this.#namespace,
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
