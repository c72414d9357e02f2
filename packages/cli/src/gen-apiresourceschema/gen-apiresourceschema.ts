import { loadManifests } from '@kubeloom/core';
import type { APIExport, APIResourceSchema } from '@kubeloom/kcp-provider';
import { apiExportFor, toAPIResourceSchema } from '@kubeloom/kcp-provider/schemas';
import { Document } from 'yaml';
import type { GeneratedFile } from '../gen-types/generate-files.ts';
import { type SchemaProblem, problemsMessage } from '../gen-types/resource-schema.ts';
import { crdsFromManifests } from './crds-from-manifests.ts';

/** Options for {@link genApiResourceSchemas}. */
export interface GenApiResourceSchemasOptions {
  /** CRD YAML or JSON files, or directories of them. */
  readonly files: readonly string[];
  /**
   * Name prefix of every schema (`<prefix>.<plural>.<group>`), a lower-case DNS label such as `v1` or a
   * date. Default: derived from each CRD's content as api-syncagent does, so a changed CRD gets a new name.
   */
  readonly prefix?: string | undefined;
  /** Also an APIExport of this name that exports every schema. */
  readonly exportName?: string | undefined;
}

/** What {@link genApiResourceSchemas} produced. */
export interface GenApiResourceSchemasResult {
  /** One APIResourceSchema per CRD, in input order. */
  readonly schemas: readonly APIResourceSchema[];
  /** The APIExport skeleton, when an export name was given. */
  readonly apiExport: APIExport | undefined;
  /**
   * The YAML files: `apiresourceschema-<plural>.<group>.yaml` per schema and `apiexport-<name>.yaml`. Their
   * names do not change with the schema's prefix, so regenerating replaces them.
   */
  readonly files: readonly GeneratedFile[];
}

/**
 * The CRDs cannot be converted. Lists every problem found (file, path in the CRD, what is wrong), so one run
 * shows everything to fix.
 */
export class GenApiResourceSchemaError extends Error {
  /** `GenApiResourceSchemaError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'GenApiResourceSchemaError';
  /** Every problem, in source order. */
  readonly problems: readonly SchemaProblem[];

  /** @param problems At least one problem; the message lists them all. */
  constructor(problems: readonly SchemaProblem[]) {
    super(problemsMessage('kubeloom gen apiresourceschema', problems));
    this.problems = problems;
  }
}

const dnsLabel = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * `kubeloom gen apiresourceschema` as a function: reads CRDs, checks them, and converts each into the kcp
 * APIResourceSchema that serves it (plus, with `exportName`, an APIExport exporting them all), rendered as
 * YAML. Nothing is written.
 *
 * @throws GenApiResourceSchemaError naming the file, the path in the CRD and what is wrong; ManifestError
 *   for unreadable YAML; TypeError for a malformed prefix or export name.
 */
export async function genApiResourceSchemas(
  options: GenApiResourceSchemasOptions,
): Promise<GenApiResourceSchemasResult> {
  if (options.prefix !== undefined && !dnsLabel.test(options.prefix)) {
    throw new TypeError(
      `--prefix "${options.prefix}" must be a lower-case DNS label (letters, digits and '-', starting with a letter), e.g. v1 or v20260301`,
    );
  }
  if (options.exportName !== undefined && !dnsSubdomain.test(options.exportName)) {
    throw new TypeError(
      `--export "${options.exportName}" must be a lower-case DNS subdomain, e.g. widgets.example.io`,
    );
  }
  const { crds, problems } = crdsFromManifests(await loadManifests(options.files));
  if (problems.length > 0) throw new GenApiResourceSchemaError(problems);
  const schemas = crds.map((crd) =>
    toAPIResourceSchema(crd, options.prefix !== undefined ? { prefix: options.prefix } : {}),
  );
  const apiExport = options.exportName !== undefined ? apiExportFor(options.exportName, schemas) : undefined;
  const files: GeneratedFile[] = schemas.map((schema) => ({
    fileName: `apiresourceschema-${schema.spec.names.plural}.${schema.spec.group}.yaml`,
    content: renderYaml(schema),
  }));
  if (apiExport) {
    files.push({
      fileName: `apiexport-${options.exportName}.yaml`,
      content: renderYaml(
        apiExport,
        ' Add spec.permissionClaims for objects the provider needs in consumer workspaces, e.g.\n' +
          ' - {group: "", resource: configmaps, verbs: [get, list, watch]}',
      ),
    });
  }
  return { schemas, apiExport, files };
}

function renderYaml(object: unknown, comment?: string): string {
  const document = new Document(object);
  if (comment) document.commentBefore = comment;
  return document.toString({ lineWidth: 0 });
}
