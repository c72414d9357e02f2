import type { CustomResourceDefinition } from '@kubeloom/core';
import { ElasticsearchResource } from '../api/elasticsearch.ts';

/** The observability team's API group. */
export const ELASTICSEARCH_GROUP = ElasticsearchResource.group;

/**
 * The Elasticsearch CRD on the observability team's cluster. The syncagent turns it into the
 * APIResourceSchema tenants bind, so its defaults and validation apply in every tenant workspace too.
 * (Typed through `unknown`: the client library's schema type spells `default` as `_default`.)
 */
export const elasticsearchCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `elasticsearches.${ELASTICSEARCH_GROUP}` },
  spec: {
    group: ELASTICSEARCH_GROUP,
    names: {
      kind: 'Elasticsearch',
      listKind: 'ElasticsearchList',
      plural: 'elasticsearches',
      singular: 'elasticsearch',
      shortNames: ['es'],
    },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
          { name: 'URL', type: 'string', jsonPath: '.status.url' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'A search instance run by the observability team.',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                type: 'object',
                default: {},
                properties: {
                  version: { type: 'string', default: '8.15.0', description: 'Elasticsearch version.' },
                  nodes: { type: 'integer', minimum: 1, default: 1, description: 'Number of nodes.' },
                },
              },
              status: {
                type: 'object',
                properties: {
                  phase: { type: 'string' },
                  url: { type: 'string', description: 'Where the instance answers.' },
                  conditions: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['type', 'status'],
                      properties: {
                        type: { type: 'string' },
                        status: { type: 'string' },
                        reason: { type: 'string' },
                        message: { type: 'string' },
                        lastTransitionTime: { type: 'string', format: 'date-time' },
                        observedGeneration: { type: 'integer' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
} as unknown as CustomResourceDefinition;
