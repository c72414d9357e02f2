/**
 * Validation of a (normalised) PublishedResource that returns every problem with its field path instead
 * of throwing, so a controller can show them all in a status condition. It checks what would otherwise
 * fail later and far from the cause: kind/version/group formats, templates that don't parse, CEL that
 * doesn't compile, regexes, paths, label selectors, and upstream's CRD rules for `related[]` (with
 * upstream's messages).
 */
import { LabelSelectorError, formatLabelSelector, parseLabelSelector } from '@kubeloom/core';
import { type FieldProblem, FieldProblemError } from './field-problem.ts';
import { parseGoTemplate } from './go-template.ts';
import { compileGoRegexp } from './go-regexp.ts';
import { isRecord } from './is-record.ts';
import { parseJsonPath } from './json-path.ts';
import { compileMutation } from './mutations.ts';
import { isTemplatePattern, legacyPlaceholders } from './naming.ts';
import type {
  PublishedResource,
  RelatedResourceObjectSpec,
  RelatedResourceSpec,
  ResourceMutationSpec,
  StructuredLabelSelector,
} from './published-resource.ts';

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const kindFormat = /^[A-Z][A-Za-z0-9]*$/;
const identifierFormat = /^[A-Za-z0-9]([-A-Za-z0-9_]*[A-Za-z0-9])?$/;

/** Returns all problems of `pr` (empty when valid). Never throws. */
export function validatePublishedResource(pr: PublishedResource): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const report = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  const spec = pr.spec as PublishedResource['spec'] | undefined;
  if (!isRecord(spec)) {
    report('spec', 'is required');
    return problems;
  }
  validateSource(spec.resource, report);
  validateProjection(spec.projection, report);
  for (const field of ['namespace', 'name'] as const) {
    const pattern = spec.naming?.[field];
    if (typeof pattern === 'string' && pattern !== '')
      validateNamingPattern(pattern, `spec.naming.${field}`, report);
  }
  if (spec.filter) {
    validateSelector(spec.filter.namespace, 'spec.filter.namespace', report);
    validateSelector(spec.filter.resource, 'spec.filter.resource', report);
  }
  validateMutations(spec.mutation, 'spec.mutation', report);
  const identifiers = new Map<string, number>();
  (spec.related ?? []).forEach((related, i) => {
    const path = `spec.related[${i}]`;
    validateRelated(related, path, report);
    if (typeof related.identifier === 'string') {
      const first = identifiers.get(related.identifier);
      if (first !== undefined)
        report(`${path}.identifier`, `"${related.identifier}" is already used by spec.related[${first}]`);
      else identifiers.set(related.identifier, i);
    }
  });
  if (spec.synchronization !== undefined && typeof spec.synchronization?.enabled !== 'boolean') {
    report('spec.synchronization.enabled', 'must be true or false');
  }
  return problems;
}

type Report = (path: string, message: string) => void;

function validateSource(source: PublishedResource['spec']['resource'] | undefined, report: Report): void {
  if (!isRecord(source)) {
    report('spec.resource', 'is required');
    return;
  }
  if (typeof source.apiGroup !== 'string')
    report('spec.resource.apiGroup', 'is required ("" for the core group)');
  else if (source.apiGroup !== '' && !dns1123Subdomain.test(source.apiGroup)) {
    report(
      'spec.resource.apiGroup',
      `"${source.apiGroup}" is not a valid API group (lowercase DNS subdomain, e.g. example.com)`,
    );
  }
  if (typeof source.kind !== 'string' || source.kind === '') report('spec.resource.kind', 'is required');
  else if (!kindFormat.test(source.kind)) {
    report(
      'spec.resource.kind',
      `"${source.kind}" is not a valid kind (CamelCase starting with an uppercase letter, e.g. Cluster)`,
    );
  }
  if (source.version && source.versions && source.versions.length > 0) {
    report('spec.resource', 'cannot configure both .version and .versions');
  }
  if (source.version !== undefined) validateVersionName(source.version, 'spec.resource.version', report);
  const seen = new Set<string>();
  (source.versions ?? []).forEach((version, i) => {
    validateVersionName(version, `spec.resource.versions[${i}]`, report);
    if (seen.has(version)) report(`spec.resource.versions[${i}]`, `"${version}" is listed twice`);
    seen.add(version);
  });
}

function validateVersionName(version: unknown, path: string, report: Report): void {
  if (typeof version !== 'string' || !dns1035Label.test(version)) {
    report(
      path,
      `${JSON.stringify(version)} is not a valid version name (lowercase DNS label, e.g. v1 or v1beta2)`,
    );
  }
}

function validateProjection(projection: PublishedResource['spec']['projection'], report: Report): void {
  if (!projection) return;
  if (projection.group !== undefined && projection.group !== '' && !dns1123Subdomain.test(projection.group)) {
    report(
      'spec.projection.group',
      `"${projection.group}" is not a valid API group (lowercase DNS subdomain)`,
    );
  }
  if (projection.version && projection.versions && Object.keys(projection.versions).length > 0) {
    report('spec.projection', 'cannot configure both .version and .versions');
  }
  if (projection.version) validateVersionName(projection.version, 'spec.projection.version', report);
  const targets = new Map<string, string>();
  for (const [from, to] of Object.entries(projection.versions ?? {})) {
    validateVersionName(to, `spec.projection.versions.${from}`, report);
    const other = targets.get(to);
    if (other !== undefined)
      report(
        `spec.projection.versions.${from}`,
        `maps to "${to}" like ${other} does; projected versions must be unique`,
      );
    targets.set(to, from);
  }
  if (projection.scope !== undefined && projection.scope !== 'Cluster' && projection.scope !== 'Namespaced') {
    report(
      'spec.projection.scope',
      `"${String(projection.scope)}" is not a scope (use Cluster or Namespaced)`,
    );
  }
  if (projection.kind !== undefined && projection.kind !== '' && !kindFormat.test(projection.kind)) {
    report(
      'spec.projection.kind',
      `"${projection.kind}" is not a valid kind (CamelCase starting with an uppercase letter)`,
    );
  }
  if (projection.plural !== undefined && projection.plural !== '' && !dns1035Label.test(projection.plural)) {
    report(
      'spec.projection.plural',
      `"${projection.plural}" is not a valid resource name (lowercase DNS label)`,
    );
  }
  for (const list of ['shortNames', 'categories'] as const) {
    (projection[list] ?? []).forEach((entry, i) => {
      if (!dns1035Label.test(entry))
        report(`spec.projection.${list}[${i}]`, `"${entry}" must be a lowercase DNS label`);
    });
  }
}

function validateNamingPattern(pattern: string, path: string, report: Report): void {
  if (isTemplatePattern(pattern)) {
    validateTemplate(pattern, path, report);
    return;
  }
  for (const match of pattern.matchAll(/\$[A-Za-z]+/g)) {
    if (!legacyPlaceholders.some((p) => match[0].startsWith(p))) {
      report(
        path,
        `"${match[0]}" is not a known placeholder (known: ${legacyPlaceholders.join(', ')}); prefer a Go template such as {{ .Object.metadata.name }}`,
      );
    }
  }
}

function validateTemplate(source: string, path: string, report: Report): void {
  try {
    parseGoTemplate(source);
  } catch (error) {
    report(path, `template does not parse: ${(error as Error).message}`);
  }
}

function validateSelector(selector: StructuredLabelSelector | undefined, path: string, report: Report): void {
  if (selector === undefined) return;
  if (!isRecord(selector)) {
    report(path, 'must be a label selector ({matchLabels, matchExpressions}), not a plain value');
    return;
  }
  (selector.matchExpressions ?? []).forEach((expression, i) => {
    const needsValues = expression.operator === 'In' || expression.operator === 'NotIn';
    const count = expression.values?.length ?? 0;
    if (needsValues && count === 0)
      report(
        `${path}.matchExpressions[${i}].values`,
        `must not be empty for operator ${expression.operator}`,
      );
    if (!needsValues && count > 0)
      report(`${path}.matchExpressions[${i}].values`, `must be empty for operator ${expression.operator}`);
  });
  try {
    parseLabelSelector(formatLabelSelector(selector));
  } catch (error) {
    if (!(error instanceof LabelSelectorError)) throw error;
    report(path, error.message);
  }
}

function validateMutations(mutation: ResourceMutationSpec | undefined, path: string, report: Report): void {
  for (const direction of ['spec', 'status'] as const) {
    (mutation?.[direction] ?? []).forEach((step, i) => {
      try {
        compileMutation(step, `${path}.${direction}[${i}]`);
      } catch (error) {
        if (!(error instanceof FieldProblemError)) throw error;
        report(error.problem.path, error.problem.message);
      }
    });
  }
}

function validateRelated(related: RelatedResourceSpec, path: string, report: Report): void {
  if (!isRecord(related)) {
    report(path, 'must be an object');
    return;
  }
  if (typeof related.identifier !== 'string' || related.identifier === '')
    report(`${path}.identifier`, 'is required');
  else if (!identifierFormat.test(related.identifier)) {
    report(
      `${path}.identifier`,
      `"${related.identifier}" must be alphanumeric (dashes and underscores inside are allowed)`,
    );
  }
  if (related.origin !== 'service' && related.origin !== 'kcp') {
    report(`${path}.origin`, `${JSON.stringify(related.origin)} is not an origin (use service or kcp)`);
  }
  const has = (key: keyof RelatedResourceSpec): boolean => related[key] !== undefined;
  // Upstream's CRD validation rules, with their messages.
  if (has('kind') === (has('version') || has('resource')))
    report(path, 'must specify either kind (deprecated) or group, version, resource');
  if (has('resource') !== has('version'))
    report(path, 'resource and version must be configured together or not at all');
  if (has('group') && !(has('resource') && has('version')))
    report(path, 'configuring a group also requires a version and resource');
  if (has('identityHash') && !(has('group') && has('version') && has('resource')))
    report(path, 'identity hashes can only be used with GVRs');
  if (related.origin === 'service' && related.syncStatus === true && !has('watch')) {
    report(path, 'watch must be configured when origin is service and syncStatus is true');
  }
  if (related.kind !== undefined && related.kind !== 'ConfigMap' && related.kind !== 'Secret') {
    report(
      `${path}.kind`,
      `"${related.kind}" is not supported (only ConfigMap or Secret; use group, version and resource instead)`,
    );
  }
  if (related.group !== undefined && related.group !== '' && !dns1123Subdomain.test(related.group)) {
    report(`${path}.group`, `"${related.group}" is not a valid API group`);
  }
  if (related.version !== undefined) validateVersionName(related.version, `${path}.version`, report);
  if (related.resource !== undefined && !dns1035Label.test(related.resource)) {
    report(
      `${path}.resource`,
      `"${related.resource}" is not a valid resource name (lowercase plural, e.g. secrets)`,
    );
  }
  if (
    related.watch !== undefined &&
    (related.watch.byOwner !== undefined) === (related.watch.bySelector !== undefined)
  ) {
    report(`${path}.watch`, 'exactly one of byOwner or bySelector must be set');
  }
  if (related.watch?.bySelector)
    validateSelector(related.watch.bySelector, `${path}.watch.bySelector`, report);
  if (!isRecord(related.object)) report(`${path}.object`, 'is required (reference, template or selector)');
  else {
    validateObjectSpec(related.object, `${path}.object`, report);
    if (related.object.namespace !== undefined)
      validateObjectSpec(related.object.namespace, `${path}.object.namespace`, report);
  }
  validateMutations(related.mutation, `${path}.mutation`, report);
}

function validateObjectSpec(spec: RelatedResourceObjectSpec, path: string, report: Report): void {
  const set = (['reference', 'template', 'selector'] as const).filter((k) => spec[k] !== undefined);
  if (set.length !== 1) {
    report(
      path,
      `exactly one of reference, template or selector must be set, but ${set.length === 0 ? 'none is' : `${set.join(' and ')} are`}`,
    );
  }
  if (spec.reference !== undefined) {
    if (typeof spec.reference.path !== 'string') report(`${path}.reference.path`, 'is required');
    else {
      try {
        parseJsonPath(spec.reference.path);
      } catch (error) {
        report(`${path}.reference.path`, (error as Error).message);
      }
    }
    validateRegex(spec.reference.regex?.pattern, `${path}.reference.regex.pattern`, report);
  }
  if (spec.template !== undefined) {
    if (!spec.template.template) report(`${path}.template.template`, 'is required');
    else validateTemplate(spec.template.template, `${path}.template.template`, report);
  }
  if (spec.selector !== undefined) {
    const { rewrite, matchLabels, matchExpressions } = spec.selector;
    for (const [key, value] of Object.entries(matchLabels ?? {})) {
      if (isTemplatePattern(key)) validateTemplate(key, `${path}.selector.matchLabels`, report);
      if (isTemplatePattern(value)) validateTemplate(value, `${path}.selector.matchLabels.${key}`, report);
    }
    const literalLabels = Object.fromEntries(
      Object.entries(matchLabels ?? {}).filter(([k, v]) => !isTemplatePattern(k) && !isTemplatePattern(v)),
    );
    validateSelector(
      { matchLabels: literalLabels, ...(matchExpressions ? { matchExpressions } : {}) },
      `${path}.selector`,
      report,
    );
    if (!isRecord(rewrite) || (rewrite.regex !== undefined) === (rewrite.template !== undefined)) {
      report(`${path}.selector.rewrite`, 'exactly one of regex or template must be set');
    } else {
      validateRegex(rewrite.regex?.pattern, `${path}.selector.rewrite.regex.pattern`, report);
      if (rewrite.template !== undefined)
        validateTemplate(
          rewrite.template.template ?? '',
          `${path}.selector.rewrite.template.template`,
          report,
        );
    }
  }
}

function validateRegex(pattern: string | undefined, path: string, report: Report): void {
  if (!pattern) return;
  try {
    compileGoRegexp(pattern);
  } catch (error) {
    report(path, (error as Error).message);
  }
}
