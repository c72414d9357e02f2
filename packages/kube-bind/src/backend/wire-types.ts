import type { APIServiceExportRequest } from '../api/apiserviceexportrequest.ts';

/** `GET /api/exports`: who the provider is and how to log in. */
export interface BindingProvider {
  apiVersion: 'kube-bind.io/v1alpha2';
  kind: 'BindingProvider';
  providerPrettyName: string;
  version: string;
  authenticationMethods: Array<{ method: 'OAuth2CodeGrant'; oauth2CodeGrant: { authenticatedURL: string } }>;
}

/** `POST /api/bind` body: which catalogue entry to bind, from which consumer cluster. */
export interface BindableResourcesRequest {
  apiVersion?: string;
  kind?: 'BindableResourcesRequest';
  metadata?: { name?: string };
  spec: {
    templateRef: { name: string };
    clusterIdentity: { identity: string; prettyName?: string };
    author?: string;
  };
}

/** `POST /api/bind` answer: the konnector kubeconfig and the request(s) to create with it. */
export interface BindingResourceResponse {
  apiVersion: 'kube-bind.io/v1alpha2';
  kind: 'BindingResponse';
  authentication: { oauth2CodeGrant: { sid: string; id: string } };
  /** The kubeconfig, base64. */
  kubeconfig: string;
  requests: APIServiceExportRequest[];
  providerNamespace: string;
}

/** `GET /api/templates` answer: the catalogue. */
export interface ExportTemplateList {
  apiVersion: 'kube-bind.io/v1alpha2';
  kind: 'APIServiceExportTemplateList';
  items: Array<{
    metadata: { name: string };
    spec: { resources: Array<{ group: string; resource: string }> };
  }>;
}

/** The error codes of kube-bind's HTTP API. */
export type BackendErrorCode =
  | 'AUTHENTICATION_FAILED'
  | 'AUTHORIZATION_FAILED'
  | 'RESOURCE_NOT_FOUND'
  | 'INTERNAL_ERROR'
  | 'BAD_REQUEST'
  | 'CLUSTER_CONNECTION_FAILED';

/** Every error answer: what failed and what to do. */
export interface BackendError {
  message: string;
  code: BackendErrorCode;
  details?: string;
}
