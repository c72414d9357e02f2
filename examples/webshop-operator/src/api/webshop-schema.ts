/**
 * The Webshop API's OpenAPI schema, as a CustomResourceDefinition and as the kcp APIResourceSchema the
 * webshop team exports. Validation and defaults live here, so the API server rejects a bad Webshop before
 * the operator ever sees it.
 */
import type { CustomResourceDefinition } from '@kubeloom/core';
import { type APIResourceSchema, apiResourceSchemaFromCrd } from '@kubeloom/kcp-provider';
import { WEBSHOP_DEFAULTS, WEBSHOP_GROUP, WEBSHOP_VERSION } from './webshop.ts';

/**
 * Prefix of the APIResourceSchema's name. APIResourceSchemas are immutable: change the prefix (e.g. to
 * today's date) whenever the schema below changes, and the export moves to the new one.
 */
export const WEBSHOP_SCHEMA_PREFIX = 'v20261202';

const condition = {
  type: 'object',
  required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  properties: {
    type: { type: 'string', maxLength: 316 },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    reason: { type: 'string', maxLength: 1024, minLength: 1 },
    message: { type: 'string', maxLength: 32768 },
  },
};

const openAPIV3Schema = {
  type: 'object',
  description:
    "A tenant's webshop: a Postgres database, optionally a search instance, and the shop workload.",
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        image: { type: 'string', minLength: 1, description: 'Container image of the shop.' },
        replicas: {
          type: 'integer',
          minimum: 0,
          maximum: 20,
          default: WEBSHOP_DEFAULTS.replicas,
          description: 'Pods of the shop on the compute cluster; 0 stops the shop but keeps its data.',
        },
        database: {
          type: 'object',
          default: {},
          properties: {
            size: {
              type: 'string',
              default: WEBSHOP_DEFAULTS.databaseSize,
              pattern: '^[0-9]+(Mi|Gi|Ti)$',
              description: 'Storage of the Postgres cluster, e.g. 1Gi.',
            },
          },
        },
        search: {
          type: 'object',
          default: {},
          properties: {
            enabled: { type: 'boolean', default: false, description: 'Whether the shop gets Elasticsearch.' },
            nodes: {
              type: 'integer',
              minimum: 1,
              maximum: 5,
              default: WEBSHOP_DEFAULTS.searchNodes,
              description: 'Elasticsearch nodes.',
            },
          },
        },
      },
    },
    status: {
      type: 'object',
      properties: {
        observedGeneration: { type: 'integer', format: 'int64' },
        availableReplicas: { type: 'integer' },
        computeNamespace: { type: 'string' },
        conditions: {
          type: 'array',
          items: condition,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
        },
      },
    },
  },
};

/** The Webshop API as a CustomResourceDefinition (for a plain Kubernetes cluster, and the source of the schema). */
export const webshopCrd: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `webshops.${WEBSHOP_GROUP}` },
  spec: {
    group: WEBSHOP_GROUP,
    names: {
      kind: 'Webshop',
      listKind: 'WebshopList',
      plural: 'webshops',
      singular: 'webshop',
      shortNames: ['shop'],
    },
    scope: 'Namespaced',
    versions: [
      {
        name: WEBSHOP_VERSION,
        served: true,
        storage: true,
        schema: { openAPIV3Schema },
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'Available', type: 'integer', jsonPath: '.status.availableReplicas' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
    ],
  },
};

/** The APIResourceSchema the webshop team's APIExport serves. */
export function webshopApiResourceSchema(): APIResourceSchema {
  return apiResourceSchemaFromCrd(webshopCrd, WEBSHOP_SCHEMA_PREFIX);
}
