/**
 * JSON encoding of a CRD spec byte-for-byte as Go's `json.NewEncoder(w).Encode(crd.Spec)` writes it for
 * `apiextensionsv1.CustomResourceDefinitionSpec`. Upstream names APIResourceSchemas after the SHA-1 of
 * exactly these bytes, so the field order of the Go structs, their `omitempty` rules, sorted map keys,
 * HTML escaping and the trailing newline all matter. Verified against the Go encoder on the CNPG CRDs
 * (the syncagent's schema-naming test).
 */
import type { CrdSpec, CrdVersion } from './crd.ts';

/** How one field of a Go struct is encoded. */
type FieldKind =
  | 'string' // string, omitempty when ""
  | 'stringRequired' // string without omitempty
  | 'pointer' // pointer or raw JSON: present → encoded as is
  | 'bool' // bool, omitempty when false
  | 'list' // slice, omitempty when empty
  | 'schema' // *JSONSchemaProps
  | 'schemaList' // []JSONSchemaProps
  | 'schemaMap' // map[string]JSONSchemaProps, omitempty
  | 'schemaOrArray' // *JSONSchemaPropsOrArray
  | 'schemaOrBool' // *JSONSchemaPropsOrBool
  | 'dependencies' // map[string]JSONSchemaPropsOrStringArray
  | 'rawList' // []JSON, omitempty
  | 'externalDocs'
  | 'validations';

/** JSONSchemaProps fields in Go struct order. */
const schemaFields: ReadonlyArray<[string, FieldKind]> = [
  ['id', 'string'],
  ['$schema', 'string'],
  ['$ref', 'pointer'],
  ['description', 'string'],
  ['type', 'string'],
  ['format', 'string'],
  ['title', 'string'],
  ['default', 'pointer'],
  ['maximum', 'pointer'],
  ['exclusiveMaximum', 'bool'],
  ['minimum', 'pointer'],
  ['exclusiveMinimum', 'bool'],
  ['maxLength', 'pointer'],
  ['minLength', 'pointer'],
  ['pattern', 'string'],
  ['maxItems', 'pointer'],
  ['minItems', 'pointer'],
  ['uniqueItems', 'bool'],
  ['multipleOf', 'pointer'],
  ['enum', 'rawList'],
  ['maxProperties', 'pointer'],
  ['minProperties', 'pointer'],
  ['required', 'list'],
  ['items', 'schemaOrArray'],
  ['allOf', 'schemaList'],
  ['oneOf', 'schemaList'],
  ['anyOf', 'schemaList'],
  ['not', 'schema'],
  ['properties', 'schemaMap'],
  ['additionalProperties', 'schemaOrBool'],
  ['patternProperties', 'schemaMap'],
  ['dependencies', 'dependencies'],
  ['additionalItems', 'schemaOrBool'],
  ['definitions', 'schemaMap'],
  ['externalDocs', 'externalDocs'],
  ['example', 'pointer'],
  ['nullable', 'bool'],
  ['x-kubernetes-preserve-unknown-fields', 'pointer'],
  ['x-kubernetes-embedded-resource', 'bool'],
  ['x-kubernetes-int-or-string', 'bool'],
  ['x-kubernetes-list-map-keys', 'list'],
  ['x-kubernetes-list-type', 'pointer'],
  ['x-kubernetes-map-type', 'pointer'],
  ['x-kubernetes-validations', 'validations'],
];

const validationRuleFields: ReadonlyArray<[string, FieldKind]> = [
  ['rule', 'stringRequired'],
  ['message', 'string'],
  ['messageExpression', 'string'],
  ['reason', 'pointer'],
  ['fieldPath', 'string'],
  ['optionalOldSelf', 'pointer'],
];

/** The bytes Go's encoder writes for `spec` (including the trailing newline). */
export function goEncodeCrdSpec(spec: CrdSpec): string {
  const names = spec.names;
  const fields: Array<[string, string | undefined]> = [
    ['group', goString(spec.group)],
    [
      'names',
      goObject([
        ['plural', goString(names.plural)],
        ['singular', names.singular ? goString(names.singular) : undefined],
        ['shortNames', nonEmpty(names.shortNames) ? goArray(names.shortNames.map(goString)) : undefined],
        ['kind', goString(names.kind)],
        ['listKind', names.listKind ? goString(names.listKind) : undefined],
        ['categories', nonEmpty(names.categories) ? goArray(names.categories.map(goString)) : undefined],
      ]),
    ],
    ['scope', goString(spec.scope)],
    ['versions', spec.versions ? goArray(spec.versions.map(encodeVersion)) : 'null'],
    ['conversion', spec.conversion ? encodeGeneric(spec.conversion) : undefined],
    ['preserveUnknownFields', spec.preserveUnknownFields ? 'true' : undefined],
  ];
  return `${goObject(fields)}\n`;
}

function encodeVersion(version: CrdVersion): string {
  const schema = version.schema;
  const scale = version.subresources?.scale;
  return goObject([
    ['name', goString(version.name)],
    ['served', version.served ? 'true' : 'false'],
    ['storage', version.storage ? 'true' : 'false'],
    ['deprecated', version.deprecated ? 'true' : undefined],
    [
      'deprecationWarning',
      version.deprecationWarning !== undefined ? goString(version.deprecationWarning) : undefined,
    ],
    [
      'schema',
      schema
        ? goObject([
            ['openAPIV3Schema', schema.openAPIV3Schema ? encodeSchema(schema.openAPIV3Schema) : undefined],
          ])
        : undefined,
    ],
    [
      'subresources',
      version.subresources
        ? goObject([
            ['status', version.subresources.status ? '{}' : undefined],
            [
              'scale',
              scale
                ? goObject([
                    ['specReplicasPath', goString(scale.specReplicasPath ?? '')],
                    ['statusReplicasPath', goString(scale.statusReplicasPath ?? '')],
                    [
                      'labelSelectorPath',
                      scale.labelSelectorPath !== undefined ? goString(scale.labelSelectorPath) : undefined,
                    ],
                  ])
                : undefined,
            ],
          ])
        : undefined,
    ],
    [
      'additionalPrinterColumns',
      nonEmpty(version.additionalPrinterColumns)
        ? goArray(
            version.additionalPrinterColumns.map((c) =>
              goObject([
                ['name', goString(c.name ?? '')],
                ['type', goString(c.type ?? '')],
                ['format', c.format ? goString(c.format) : undefined],
                ['description', c.description ? goString(c.description) : undefined],
                ['priority', c.priority ? String(c.priority) : undefined],
                ['jsonPath', goString(c.jsonPath ?? '')],
              ]),
            ),
          )
        : undefined,
    ],
    [
      'selectableFields',
      nonEmpty(version.selectableFields)
        ? goArray(version.selectableFields.map((f) => goObject([['jsonPath', goString(f.jsonPath ?? '')]])))
        : undefined,
    ],
  ]);
}

function encodeSchema(schema: Record<string, unknown>): string {
  return goObject(schemaFields.map(([name, kind]) => [name, encodeField(schema[name], kind)]));
}

function encodeField(value: unknown, kind: FieldKind): string | undefined {
  if (value === undefined) return undefined;
  switch (kind) {
    case 'string':
      return value === '' ? undefined : goString(asText(value));
    case 'stringRequired':
      return goString(asText(value));
    case 'pointer':
      return encodeGeneric(value);
    case 'bool':
      return value === true ? 'true' : undefined;
    case 'list':
    case 'rawList':
      return Array.isArray(value) && value.length > 0 ? goArray(value.map(encodeGeneric)) : undefined;
    case 'schema':
      return isRecord(value) ? encodeSchema(value) : 'null';
    case 'schemaList':
      return Array.isArray(value) && value.length > 0
        ? goArray(value.map((s) => encodeSchema(s as Record<string, unknown>)))
        : undefined;
    case 'schemaMap':
      return isRecord(value) && Object.keys(value).length > 0
        ? encodeMap(value, (s) => encodeSchema(s as Record<string, unknown>))
        : undefined;
    case 'schemaOrArray':
      if (Array.isArray(value))
        return value.length > 0
          ? goArray(value.map((s) => encodeSchema(s as Record<string, unknown>)))
          : 'null';
      return isRecord(value) ? encodeSchema(value) : 'null';
    case 'schemaOrBool':
      if (isRecord(value)) return encodeSchema(value);
      return value === false ? 'false' : 'true';
    case 'dependencies':
      return isRecord(value) && Object.keys(value).length > 0
        ? encodeMap(value, (d) =>
            Array.isArray(d) && d.length > 0
              ? goArray(d.map((s) => goString(asText(s))))
              : isRecord(d)
                ? encodeSchema(d)
                : 'null',
          )
        : undefined;
    case 'externalDocs':
      return isRecord(value)
        ? goObject([
            ['description', value.description ? goString(asText(value.description)) : undefined],
            ['url', value.url ? goString(asText(value.url)) : undefined],
          ])
        : undefined;
    case 'validations':
      return Array.isArray(value) && value.length > 0
        ? goArray(
            value.map((rule) =>
              goObject(
                validationRuleFields.map(([name, k]) => [
                  name,
                  encodeField((rule as Record<string, unknown>)[name], k),
                ]),
              ),
            ),
          )
        : undefined;
  }
  throw new TypeError(`unknown field kind ${String(kind)}`);
}

/**
 * Encodes free-form JSON: raw values (`default`, `example`, `enum`) that Go keeps as the bytes the API
 * server sent, so object keys stay in their received order (JSON.parse keeps it, except that it moves
 * integer-like keys first); Go only compacts them and escapes HTML characters.
 */
function encodeGeneric(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return goArray(value.map(encodeGeneric));
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${goString(k)}:${encodeGeneric(v)}`)
    .join(',')}}`;
}

/**
 * `json.Marshal` of a decoded JSON value (`map[string]any` and friends) as Go writes it: map keys sorted,
 * HTML characters escaped, no trailing newline. Upstream hashes such values for state-store keys.
 */
export function goMarshal(value: unknown): string {
  if (Array.isArray(value)) return goArray(value.map(goMarshal));
  if (isRecord(value)) return encodeMap(value, goMarshal);
  return encodeGeneric(value);
}

function encodeMap(value: Record<string, unknown>, encodeValue: (v: unknown) => string): string {
  const keys = Object.keys(value).toSorted(compareUtf8);
  return `{${keys.map((k) => `${goString(k)}:${encodeValue(value[k])}`).join(',')}}`;
}

/** Go sorts map keys by their UTF-8 bytes. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function goObject(fields: ReadonlyArray<[string, string | undefined]>): string {
  return `{${fields
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${goString(k)}:${v}`)
    .join(',')}}`;
}

function goArray(items: readonly string[]): string {
  return `[${items.join(',')}]`;
}

/** A JSON string the way Go escapes it: `<`, `>`, `&`, U+2028 and U+2029 as \u escapes. */
export function goString(value: string): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Go's float64 formatting in encoding/json (integers plain, exponents for tiny/huge values as `1e-07`→`1e-7`). */
function goNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot encode ${value} as JSON`);
  return String(value);
}

/** A field Go declares as string; anything else would not have decoded, so it is shown as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A JSON object (not null, not an array). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty<T>(list: T[] | undefined): list is T[] {
  return Array.isArray(list) && list.length > 0;
}
