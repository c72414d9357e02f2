import { describeValue, isMapping } from '../gen-types/resource-schema.ts';

/** One thing wrong inside an OpenAPI schema: its path and what is wrong. */
export interface SchemaStructureProblem {
  /** Path of the offending value, e.g. `spec.versions[0].schema.openAPIV3Schema.properties.spec.type`. */
  readonly path: string;
  /** What is wrong and what to do. */
  readonly message: string;
}

const schemaTypes = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/**
 * The shape problems of an OpenAPI v3 schema that kcp would reject when the APIResourceSchema is created
 * (it validates schemas like the API server validates CRDs), found before anything is applied and named by
 * their path: nodes that are not mappings, unknown `type`s, `properties` that are not a mapping of schemas,
 * list-valued `items` (not allowed in structural schemas), `required` that is not a list of names.
 * Semantics (e.g. CEL rules) are left to kcp.
 */
export function structuralSchemaProblems(schema: unknown, path: string): SchemaStructureProblem[] {
  const problems: SchemaStructureProblem[] = [];
  visit(schema, path, problems);
  return problems;
}

function visit(node: unknown, path: string, problems: SchemaStructureProblem[]): void {
  if (!isMapping(node)) {
    problems.push({ path, message: `expected a schema (a mapping), got ${describeValue(node)}` });
    return;
  }
  if (node.type !== undefined && (typeof node.type !== 'string' || !schemaTypes.has(node.type))) {
    problems.push({
      path: `${path}.type`,
      message: `expected one of ${[...schemaTypes].join(', ')}, got ${JSON.stringify(node.type)}`,
    });
  }
  for (const key of ['properties', 'patternProperties', 'definitions'] as const) {
    const map = node[key];
    if (map === undefined) continue;
    if (!isMapping(map)) {
      problems.push({
        path: `${path}.${key}`,
        message: `expected a mapping of field names to schemas, got ${describeValue(map)}`,
      });
      continue;
    }
    for (const [name, child] of Object.entries(map)) visit(child, `${path}.${key}.${name}`, problems);
  }
  if (node.items !== undefined) {
    if (Array.isArray(node.items)) {
      problems.push({
        path: `${path}.items`,
        message: 'expected one schema for every item, got a list (tuple schemas are not structural)',
      });
    } else visit(node.items, `${path}.items`, problems);
  }
  if (node.additionalProperties !== undefined && typeof node.additionalProperties !== 'boolean') {
    visit(node.additionalProperties, `${path}.additionalProperties`, problems);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      problems.push({
        path: `${path}.${key}`,
        message: `expected a list of schemas, got ${describeValue(list)}`,
      });
      continue;
    }
    list.forEach((child: unknown, i) => visit(child, `${path}.${key}[${i}]`, problems));
  }
  if (node.not !== undefined) visit(node.not, `${path}.not`, problems);
  const required = node.required;
  if (
    required !== undefined &&
    (!Array.isArray(required) || required.some((name: unknown) => typeof name !== 'string'))
  ) {
    problems.push({
      path: `${path}.required`,
      message: `expected a list of field names, got ${Array.isArray(required) ? 'a list with a non-string entry' : describeValue(required)}`,
    });
  }
}
