import { type ResourceSchema, type SchemaProblem, describeValue, isMapping } from './resource-schema.ts';

/** Names the generated code imports from `@kubeloom/core`; no generated type may take them. */
const importedNames = ['defineResource', 'KubeObject', 'ObjectMeta'];
/** Fields every object has; their types come from `@kubeloom/core`, whatever a schema says of them. */
const objectFields = new Set(['apiVersion', 'kind', 'metadata']);
/** How a server's OpenAPI v3 refers to ObjectMeta: `#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`. */
const objectMetaRefSuffix = '/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
/** Where the component schemas a module declares for other modules were read, for problems. */
const componentsOrigin = "the cluster's OpenAPI v3";
/** How a server's OpenAPI v3 refers to the schemas of its document. */
const componentRefPrefix = '#/components/schemas/';

/** Where a file's writer finds referenced component schemas, and which module defines each. */
export interface ComponentModules {
  /** Every component schema by key (`io.k8s.api.core.v1.PodSpec`), from all documents read. */
  readonly schemas: Readonly<Record<string, unknown>>;
  /** The file that defines a component (`core_v1.ts`); the writer of any other file imports it. */
  moduleOf(componentKey: string): string;
  /**
   * The module that declares nested objects of `shape` (a {@link shapeKey}) met in `fileName`, when
   * several files have them; `undefined` when the file declares its own.
   */
  sharedShape?(fileName: string, shape: string): SharedShape | undefined;
}

/** The key under which {@link TypeScriptWriter.foreign} lists a nested object declared in a shared module. */
export function shapeRef(shape: string): string {
  return `shape:${shape}`;
}

/** Where a nested object was first met in a file: enough to declare it in another module. */
export interface ShapeOccurrence {
  /** The object's schema. */
  readonly schema: Record<string, unknown>;
  /** Its name in that file, e.g. `WidgetSpecSelector`. */
  readonly name: string;
  /** Its path within the origin, for problems. */
  readonly path: string;
  /** Its field within the kind, for TSDoc: `.spec.selector`. */
  readonly field: string;
  /** The kind it is a field of, e.g. `Widget`. */
  readonly kind: string;
  /** The kind's group/version, e.g. `example.io/v1`. */
  readonly apiVersion: string;
  /** Where the schema was read. */
  readonly origin: string;
}

/** A nested object that several group/versions have, declared once in a module of shared shapes. */
export interface SharedShape {
  /** The module that declares it, e.g. `example.io_shared.ts`. */
  readonly module: string;
  /** Where it was first met, in file order: its name and TSDoc there become the shared ones. */
  readonly first: ShapeOccurrence;
}

/** A component schema a file refers to but another module defines. */
export interface ForeignComponent {
  /** The defining module's file name, e.g. `core_v1.ts`. */
  readonly module: string;
  /** The name the file knows it by (the defining module's name, unless that clashes here). */
  readonly localName: string;
  /** The file's own declarations mention it (else it is only reachable through other components). */
  direct: boolean;
}

/** Where a schema being rendered sits: for names, TSDoc and problems. */
interface Place {
  /** Path within the origin, e.g. `spec.versions[0].schema.openAPIV3Schema.properties.spec`. */
  readonly path: string;
  /** Path within an object, for TSDoc: `.spec.ports[*]`. */
  readonly field: string;
  /** The name a named type for this schema gets, if it is free: `ClusterSpecBootstrap`. */
  readonly name: string;
}

/**
 * Renders one module: the kinds of one group/version as TypeScript, per kind an object interface and a
 * resource descriptor, then the named interfaces of nested objects, in schema order with properties sorted
 * by name (so a CRD file and the same CRD read back from a server's OpenAPI produce the same code).
 *
 * Each referenced component schema (`$ref`) is declared once, in the module {@link ComponentModules}
 * names; other modules import it (see {@link foreign}). Nested objects with the same fields as one declared
 * before in the file are declared as an alias of it. Problems are collected, not thrown, so one run reports
 * them all.
 */
export class TypeScriptWriter {
  /** What is wrong with the schemas rendered so far. */
  readonly problems: SchemaProblem[] = [];
  /** Components this file refers to that other modules define, by key. */
  readonly foreign = new Map<string, ForeignComponent>();
  /** The names of {@link importedNames} the declarations use. */
  readonly coreNamesUsed = new Set<string>();
  readonly #taken = new Set<string>(importedNames);
  /** Names given to referenced component schemas, by key; rendered once per file. */
  readonly #componentNames = new Map<string, string>();
  /** Names of the nested object interfaces declared (or imported) so far, by {@link shapeKey}. */
  readonly #shapes = new Map<string, string>();
  /** Where each nested object this file declares was first met, by {@link shapeKey}. */
  readonly #occurrences = new Map<string, ShapeOccurrence>();
  readonly #fileName: string;
  readonly #modules: ComponentModules;
  /** Rendering a referenced component: its objects without fields hold anything (RawExtension, FieldsV1). */
  #inComponent = false;
  /** How deep in components of other modules the writer is (walked for their names, not rendered). */
  #foreignDepth = 0;
  /** Declaring a nested object several group/versions share: its TSDoc cannot link to their kinds. */
  #inSharedShape = false;
  #origin = '';
  #kind = '';
  #apiVersion = '';

  /**
   * @param fileName The module being written, e.g. `apps_v1.ts`.
   * @param modules Component schemas and where each is declared; by default none (self-contained CRDs).
   */
  constructor(fileName: string, modules: ComponentModules = { schemas: {}, moduleOf: () => fileName }) {
    this.#fileName = fileName;
    this.#modules = modules;
  }

  /**
   * The name this module declares a component under (by its key), or a nested object of a shared shape
   * (by its {@link shapeRef}); `undefined` if it declares none such.
   */
  declaredName(key: string): string | undefined {
    if (!key.startsWith('shape:')) return this.#componentNames.get(key);
    const shape = key.slice('shape:'.length);
    return this.#occurrences.has(shape) ? this.#shapes.get(shape) : undefined;
  }

  /** Where each nested object this file declares was first met, by {@link shapeKey}. */
  get occurrences(): ReadonlyMap<string, ShapeOccurrence> {
    return this.#occurrences;
  }

  /**
   * The declarations of `kinds` (same group/version), in the order given, then of the components and
   * shared nested objects other modules asked this one to declare.
   * @param asked Keys of component schemas, and {@link shapeRef}s of shared nested objects, to declare
   *   here although no kind of this module refers to them.
   * @returns One string per top-level declaration.
   */
  render(kinds: readonly ResourceSchema[], asked: readonly string[] = []): string[] {
    for (const kind of kinds) {
      this.#taken.add(kind.kind);
      this.#taken.add(descriptorName(kind));
      if (kind.componentKey) this.#componentNames.set(kind.componentKey, kind.kind);
      for (const name of importedNames) this.coreNamesUsed.add(name);
    }
    const out: string[] = [];
    const referenced: string[] = [];
    for (const kind of kinds) {
      this.#origin = kind.origin;
      this.#kind = kind.kind;
      this.#apiVersion = kind.group ? `${kind.group}/${kind.version}` : kind.version;
      const nested: string[] = [];
      out.push(...this.#renderKind(kind, nested), ...nested);
      referenced.push(...this.#pendingComponents.splice(0));
    }
    for (const key of asked) {
      if (key.startsWith('shape:')) {
        referenced.push(...this.#sharedShapeDeclarations(key.slice('shape:'.length)));
        continue;
      }
      this.#origin = componentsOrigin;
      this.#componentType(key);
      referenced.push(...this.#pendingComponents.splice(0));
    }
    return [...out, ...referenced];
  }

  #renderKind(kind: ResourceSchema, nested: string[]): string[] {
    const root = kind.schema;
    const apiVersion = kind.group ? `${kind.group}/${kind.version}` : kind.version;
    const lines = [
      ...docComment(
        isMapping(root) && typeof root.description === 'string'
          ? root.description
          : `A ${kind.kind} (${apiVersion}).`,
        '',
      ),
      `export interface ${kind.kind} extends KubeObject {`,
      `  apiVersion?: ${quote(apiVersion)};`,
      `  kind?: ${quote(kind.kind)};`,
      '  metadata?: ObjectMeta;',
    ];
    if (isMapping(root)) {
      lines.push(...this.#members(root, { path: kind.schemaPath, field: '', name: kind.kind }, nested, true));
    } else {
      this.#problem(kind.schemaPath, `expected a schema (a mapping), got ${describeValue(root)}`);
    }
    lines.push('}');
    const status = kind.statusSubresource
      ? ', with the status subresource (write it with `client.updateStatus`)'
      : '';
    const summary = `\`${apiVersion}\` ${kind.plural}: ${kind.namespaced ? 'namespaced' : 'cluster-scoped'}${status}. Pass it to the client, informers and \`ControllerBuilder.for\`.`;
    const descriptor = [
      ...docComment(wrap(summary, 100), ''),
      `export const ${descriptorName(kind)} = defineResource<${kind.kind}>({`,
      `  group: ${quote(kind.group)},`,
      `  version: ${quote(kind.version)},`,
      `  kind: ${quote(kind.kind)},`,
      `  plural: ${quote(kind.plural)},`,
      `  namespaced: ${kind.namespaced},`,
      '});',
    ];
    return [lines.join('\n'), descriptor.join('\n')];
  }

  /** Property lines of an object schema (and an index signature if it keeps unknown fields). */
  #members(
    schema: Record<string, unknown>,
    at: Place,
    nested: string[],
    skipObjectFields: boolean,
  ): string[] {
    const lines: string[] = [];
    const properties = schema.properties;
    if (properties !== undefined && !isMapping(properties)) {
      this.#problem(
        `${at.path}.properties`,
        `expected a mapping of field name to schema, got ${describeValue(properties)}`,
      );
    }
    const required = this.#required(schema, at);
    const names = isMapping(properties) ? Object.keys(properties).toSorted() : [];
    for (const name of names) {
      if (skipObjectFields && objectFields.has(name)) continue;
      const property = (properties as Record<string, unknown>)[name];
      const type = this.typeOf(
        property,
        {
          path: `${at.path}.properties.${name}`,
          field: `${at.field}.${name}`,
          name: at.name + pascalCase(name),
        },
        nested,
      );
      if (isMapping(property)) {
        const doc = [typeof property.description === 'string' ? property.description : ''];
        if (property.default !== undefined) doc.push(`@defaultValue \`${JSON.stringify(property.default)}\``);
        lines.push(...docComment(doc.filter(Boolean).join('\n\n'), '  '));
      }
      lines.push(`  ${propertyKey(name)}${required.has(name) ? '' : '?'}: ${type};`);
    }
    if (schema['x-kubernetes-preserve-unknown-fields'] === true) lines.push('  [key: string]: unknown;');
    return lines;
  }

  #required(schema: Record<string, unknown>, at: Place): Set<string> {
    const required = schema.required;
    if (required === undefined) return new Set();
    if (!Array.isArray(required) || required.some((r) => typeof r !== 'string')) {
      this.#problem(`${at.path}.required`, `expected a list of field names, got ${JSON.stringify(required)}`);
      return new Set();
    }
    return new Set(required as string[]);
  }

  /** The TypeScript type of a schema; named interfaces it needs go to `nested`. */
  typeOf(schema: unknown, at: Place, nested: string[]): string {
    if (!isMapping(schema)) {
      this.#problem(at.path, `expected a schema (a mapping), got ${describeValue(schema)}`);
      return 'unknown';
    }
    const type = this.#baseType(schema, at, nested);
    return schema.nullable === true && type !== 'unknown' ? `${type} | null` : type;
  }

  #baseType(schema: Record<string, unknown>, at: Place, nested: string[]): string {
    const ref = refOf(schema);
    if (ref !== undefined) {
      if (ref.endsWith(objectMetaRefSuffix)) return this.#core('ObjectMeta');
      const key = ref.startsWith(componentRefPrefix) ? ref.slice(componentRefPrefix.length) : undefined;
      if (key !== undefined && key in this.#modules.schemas) return this.#componentType(key);
      this.#problem(
        at.path,
        `$ref ${JSON.stringify(ref)} is not supported; gen types reads self-contained schemas (as CRDs and APIResourceSchemas have)`,
      );
      return 'unknown';
    }
    if (schema['x-kubernetes-int-or-string'] === true || schema.format === 'int-or-string') {
      return 'number | string';
    }
    const oneOf = schema.oneOf;
    if (schema.type === undefined && Array.isArray(oneOf) && oneOf.length > 0) {
      const types = oneOf.map((member: unknown, i) =>
        this.typeOf(member, { ...at, path: `${at.path}.oneOf[${i}]` }, nested),
      );
      return [...new Set(types)].join(' | ');
    }
    const type = schema.type;
    switch (type) {
      case 'string':
        return this.#enumType(schema, at, 'string') ?? 'string';
      case 'integer':
      case 'number':
        return this.#enumType(schema, at, 'number') ?? 'number';
      case 'boolean':
        return this.#enumType(schema, at, 'boolean') ?? 'boolean';
      case 'array': {
        if (!isMapping(schema.items)) {
          this.#problem(
            `${at.path}.items`,
            `an array needs items, the schema of its elements (got ${describeValue(schema.items)})`,
          );
          return 'unknown[]';
        }
        const item = this.typeOf(
          schema.items,
          { path: `${at.path}.items`, field: `${at.field}[*]`, name: `${at.name}Item` },
          nested,
        );
        return /[ |]/.test(item) && !item.startsWith('{') ? `(${item})[]` : `${item}[]`;
      }
      case 'object':
      case undefined:
        return this.#objectType(schema, at, nested);
      default:
        this.#problem(
          `${at.path}.type`,
          `unsupported type ${JSON.stringify(type)}; expected one of array, boolean, integer, number, object, string`,
        );
        return 'unknown';
    }
  }

  /** A union of the enum's values, if the schema has an enum; problems for values of the wrong type. */
  #enumType(
    schema: Record<string, unknown>,
    at: Place,
    type: 'string' | 'number' | 'boolean',
  ): string | undefined {
    const values = schema.enum;
    if (values === undefined) return undefined;
    if (!Array.isArray(values) || values.length === 0) {
      this.#problem(`${at.path}.enum`, `expected a non-empty list of values, got ${JSON.stringify(values)}`);
      return undefined;
    }
    const literals: string[] = [];
    values.forEach((value: unknown, i) => {
      if (value === null && schema.nullable === true) return;
      const ok = typeof value === type && (schema.type !== 'integer' || Number.isInteger(value));
      if (!ok) {
        this.#problem(
          `${at.path}.enum[${i}]`,
          `${JSON.stringify(value)} is not a value of type ${String(schema.type)}`,
        );
        return;
      }
      const literal = typeof value === 'string' ? quote(value) : String(value);
      if (!literals.includes(literal)) literals.push(literal);
    });
    return literals.length > 0 ? literals.join(' | ') : undefined;
  }

  #objectType(schema: Record<string, unknown>, at: Place, nested: string[]): string {
    const properties = schema.properties;
    const additional = schema.additionalProperties;
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    const embedded = schema['x-kubernetes-embedded-resource'] === true;
    const hasProperties = isMapping(properties) && Object.keys(properties).length > 0;
    if (hasProperties && additional !== undefined && additional !== false) {
      this.#problem(
        `${at.path}.additionalProperties`,
        'properties and additionalProperties cannot both be set (a structural schema has one or the other)',
      );
    }
    if (!hasProperties && !embedded) {
      if (isMapping(additional)) {
        const value = this.typeOf(
          additional,
          { path: `${at.path}.additionalProperties`, field: `${at.field}.*`, name: `${at.name}Value` },
          nested,
        );
        return `{ [key: string]: ${value} }`;
      }
      if (additional === true || preserve || this.#inComponent) return '{ [key: string]: unknown }';
      if (schema.type === undefined) return 'unknown';
      if (properties !== undefined && !isMapping(properties)) {
        this.#problem(
          `${at.path}.properties`,
          `expected a mapping of field name to schema, got ${describeValue(properties)}`,
        );
        return 'unknown';
      }
      // A structural schema prunes every field of an object that declares none.
      return '{ [key: string]: never }';
    }
    const name = this.#uniqueName(at.name);
    const shape = `${this.#inComponent}:${shapeKey(schema)}`;
    const sharedIn = this.#modules.sharedShape?.(this.#fileName, shape)?.module;
    const imported = sharedIn !== undefined && sharedIn !== this.#fileName ? sharedIn : undefined;
    if (this.#foreignDepth > 0) {
      // Walked for names only; a shared nested object in it is re-exported.
      if (imported !== undefined && !this.foreign.has(shapeRef(shape))) {
        this.foreign.set(shapeRef(shape), { module: imported, localName: name, direct: false });
      }
      this.#members(schema, at, [], embedded);
      return name;
    }
    let same = this.#shapes.get(shape);
    const foreign = this.foreign.get(shapeRef(shape));
    if (same === undefined && foreign !== undefined) {
      same = foreign.localName;
      this.#shapes.set(shape, same);
    }
    if (same === undefined && imported !== undefined) {
      // Other group/versions have it too: declared in their shared module, imported (and re-exported) here.
      this.#shapes.set(shape, name);
      this.foreign.set(shapeRef(shape), { module: imported, localName: name, direct: true });
      this.#foreignDepth++;
      try {
        this.#members(schema, at, [], embedded);
      } finally {
        this.#foreignDepth--;
      }
      return name;
    }
    const slot = nested.push('') - 1;
    const field = this.#fieldDoc(at.field);
    if (same !== undefined) {
      // Declared once; this name stays (it is exported), as an alias. Walking the members names the
      // nested objects inside it the same way, as aliases of their twins.
      if (foreign !== undefined) foreign.direct = true;
      this.#members(schema, at, nested, embedded);
      nested[slot] = [
        ...docComment(`${field}: the same fields as {@link ${same}}.`, ''),
        `export type ${name} = ${same};`,
      ].join('\n');
      return name;
    }
    this.#shapes.set(shape, name);
    this.#occurrences.set(shape, {
      schema,
      name,
      path: at.path,
      field: at.field,
      kind: this.#kind,
      apiVersion: this.#apiVersion,
      origin: this.#origin,
    });
    if (embedded) this.#core('KubeObject');
    const lines = [
      ...docComment(`${field}${embedded ? ': a whole Kubernetes object' : ''}.`, ''),
      embedded ? `export interface ${name} extends KubeObject {` : `export interface ${name} {`,
    ];
    lines.push(...this.#members(schema, at, nested, embedded), '}');
    nested[slot] = lines.join('\n');
    return name;
  }

  /** `The \`.spec.x\` field of a {@link Widget}`; in a module of shared shapes, which has no kinds, without the link. */
  #fieldDoc(field: string): string {
    if (!this.#inSharedShape) return `The \`${field}\` field of a {@link ${this.#kind}}`;
    return `The \`${field}\` field of a ${this.#kind} (${this.#apiVersion}), and of its twins in other versions`;
  }

  /** The declarations of a nested object other group/versions share, as first met, and of those in it. */
  #sharedShapeDeclarations(shape: string): string[] {
    const shared = this.#modules.sharedShape?.(this.#fileName, shape);
    if (shared === undefined || this.#shapes.has(shape)) return [];
    const { first } = shared;
    this.#origin = first.origin;
    this.#kind = first.kind;
    this.#apiVersion = first.apiVersion;
    this.#inComponent = shape.startsWith('true:');
    this.#inSharedShape = true;
    const nested: string[] = [];
    try {
      this.#objectType(first.schema, { path: first.path, field: first.field, name: first.name }, nested);
    } finally {
      this.#inComponent = false;
      this.#inSharedShape = false;
    }
    return nested;
  }

  /** Notes that the declarations use `name` from `@kubeloom/core` (or the module given instead). */
  #core(name: string): string {
    if (this.#foreignDepth === 0) this.coreNamesUsed.add(name);
    return name;
  }

  /** Component schemas named while rendering the current kind, rendered after it. */
  readonly #pendingComponents: string[] = [];

  /**
   * The name of a referenced component schema (`io.k8s.api.core.v1.PodSpec` → `PodSpec`), rendering it as
   * an interface (or a type alias, for a non-object) the first time it is referenced, if this module
   * declares it. A component of another module is imported: its schema is walked only to name the
   * components it refers to, which the file re-exports, so that every type reachable from a kind can be
   * imported from the kind's module.
   */
  #componentType(key: string): string {
    const foreign = this.foreign.get(key);
    if (foreign !== undefined) {
      if (this.#foreignDepth === 0) foreign.direct = true;
      return foreign.localName;
    }
    const known = this.#componentNames.get(key);
    if (known !== undefined) return known;
    const name = this.#uniqueName(pascalCase(key.slice(key.lastIndexOf('.') + 1)));
    const module = this.#modules.moduleOf(key);
    if (module === this.#fileName) {
      this.#componentNames.set(key, name);
      // Declared here even when met inside another module's component: its text is kept.
      const depth = this.#foreignDepth;
      this.#foreignDepth = 0;
      try {
        this.#pendingComponents.push(...this.#componentDeclarations(key, name));
      } finally {
        this.#foreignDepth = depth;
      }
      return name;
    }
    this.foreign.set(key, { module, localName: name, direct: this.#foreignDepth === 0 });
    this.#foreignDepth++;
    try {
      this.#componentDeclarations(key, name);
    } finally {
      this.#foreignDepth--;
    }
    return name;
  }

  /** A component's declaration (an interface, or a type alias for a non-object), then its nested ones. */
  #componentDeclarations(key: string, name: string): string[] {
    const schema = this.#modules.schemas[key];
    const at: Place = { path: `components.schemas[${JSON.stringify(key)}]`, field: '', name };
    const description = isMapping(schema) && typeof schema.description === 'string' ? schema.description : '';
    const doc = docComment(description || `\`${key}\`.`, '');
    const nested: string[] = [];
    const outer = { inComponent: this.#inComponent, kind: this.#kind };
    this.#inComponent = true;
    this.#kind = name;
    try {
      if (isMapping(schema) && isMapping(schema.properties) && refOf(schema) === undefined) {
        const lines = [
          ...doc,
          `export interface ${name} {`,
          ...this.#members(schema, at, nested, false),
          '}',
        ];
        return [lines.join('\n'), ...nested];
      }
      const type = this.typeOf(schema, { ...at, name: `${name}Value` }, nested);
      return [[...doc, `export type ${name} = ${type};`].join('\n'), ...nested];
    } finally {
      this.#inComponent = outer.inComponent;
      this.#kind = outer.kind;
    }
  }

  #uniqueName(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.#taken.has(name); i++) name = `${wanted}${i}`;
    this.#taken.add(name);
    return name;
  }

  #problem(path: string, message: string): void {
    this.problems.push({ origin: this.#origin, path, message });
  }
}

/** `WidgetResource`: the descriptor's name for a kind. */
export function descriptorName(kind: { kind: string }): string {
  return `${kind.kind}Resource`;
}

/** Schema keywords that decide the generated type (the rest validate values and do not show). */
const typeKeywords = [
  '$ref',
  'additionalProperties',
  'allOf',
  'default',
  'description',
  'enum',
  'format',
  'items',
  'nullable',
  'oneOf',
  'properties',
  'required',
  'type',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
];

/**
 * What an object schema's interface is made of, as a string: two objects with the same key have the same
 * fields, types and TSDoc, so one declaration serves both. Its own `description`, `default` and `nullable`
 * are left out: they show on the field that holds the object, not in the interface.
 */
export function shapeKey(schema: Record<string, unknown>): string {
  const {
    description: _d,
    default: _v,
    nullable: _n,
    ...shape
  } = typeRelevant(schema) as Record<string, unknown>;
  return JSON.stringify(shape);
}

/** `value` with only {@link typeKeywords} in its schemas (and mapping keys sorted): what the types show. */
function typeRelevant(value: unknown, isSchema = true): unknown {
  if (Array.isArray(value)) return value.map((v) => typeRelevant(v, isSchema));
  if (!isMapping(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).toSorted()) {
    if (isSchema && !typeKeywords.includes(key)) continue;
    if (isSchema && key === 'format' && value[key] !== 'int-or-string') continue;
    // Under `properties` the keys are field names, each holding a schema; `enum` and `default` hold values.
    const v = value[key];
    if (key === 'properties' && isSchema) out[key] = typeRelevant(v, false);
    else if ((key === 'enum' || key === 'default') && isSchema) out[key] = v;
    else out[key] = typeRelevant(v, true);
  }
  return out;
}

/** A `$ref`, also as the single member of an `allOf` (how OpenAPI v3 from a server refers to ObjectMeta). */
function refOf(schema: Record<string, unknown>): string | undefined {
  if (typeof schema.$ref === 'string') return schema.$ref;
  const allOf = schema.allOf;
  if (
    Array.isArray(allOf) &&
    allOf.length === 1 &&
    isMapping(allOf[0]) &&
    typeof allOf[0].$ref === 'string'
  ) {
    return allOf[0].$ref;
  }
  return undefined;
}

/** A TSDoc comment (none for empty text); `*\/` and tags inside the text are escaped. */
function docComment(text: string, indent: string): string[] {
  const lines = text
    .replaceAll('*/', '*\\/')
    .replace(/(^|\s)@(?!defaultValue\b)(?=[A-Za-z])/g, '$1\\@')
    .split('\n')
    .map((line) => line.trimEnd());
  while (lines.length > 0 && !lines[0]) lines.shift();
  while (lines.length > 0 && !lines.at(-1)) lines.pop();
  if (lines.length === 0) return [];
  return [
    `${indent}/**`,
    ...lines.map((line) => (line ? `${indent} * ${line}` : `${indent} *`)),
    `${indent} */`,
  ];
}

/** Breaks text into lines of at most `width` characters, at spaces. */
export function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line].join('\n');
}

/** A single-quoted TypeScript string literal. */
export function quote(value: string): string {
  return `'${JSON.stringify(value).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`;
}

function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name);
}

/** `host_name` → `HostName`, `x-foo` → `XFoo`, for nested type names. */
function pascalCase(name: string): string {
  const pascal = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return /^[0-9]/.test(pascal) ? `_${pascal}` : pascal;
}
