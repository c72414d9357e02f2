import { describe, expect, it } from 'vitest';
import { sha3short, sha3sum, shortHash } from './hashes.ts';
import { NamingError, defaultNaming, legacyPatternToTemplate, localObjectName } from './naming.ts';

const remote = { metadata: { name: 'objname', namespace: 'objnamespace' } };

describe('localObjectName', () => {
  it('reproduces upstream default naming exactly (test vector from naming_test.go)', () => {
    expect(localObjectName(undefined, remote, { clusterName: 'testcluster' })).toEqual({
      namespace: 'testcluster',
      name: '2928c2aa0e510f017f07-73d08a1ba188f1340dae',
    });
  });

  it('falls back to the default for empty patterns', () => {
    expect(localObjectName({ namespace: '', name: '' }, remote, { clusterName: 'testcluster' })).toEqual({
      namespace: 'testcluster',
      name: '2928c2aa0e510f017f07-73d08a1ba188f1340dae',
    });
  });

  it('keeps static and legacy $var patterns like upstream', () => {
    const origin = { clusterName: 'testcluster' };
    expect(localObjectName({ namespace: 'foobar' }, remote, origin).namespace).toBe('foobar');
    expect(localObjectName({ namespace: 'foobar-$remoteClusterName' }, remote, origin).namespace).toBe(
      'foobar-testcluster',
    );
    expect(localObjectName({ namespace: '$remoteNamespace' }, remote, origin).namespace).toBe('objnamespace');
    expect(localObjectName({ name: 'foobar-$remoteName' }, remote, origin).name).toBe('foobar-objname');
    expect(localObjectName({ name: '$remoteNamespaceHash-$remoteNameHash' }, remote, origin).name).toBe(
      `${shortHash('objnamespace')}-${shortHash('objname')}`,
    );
  });

  it('renders Go templates with .ClusterPath and .Object', () => {
    expect(
      localObjectName({ name: '{{ .ClusterPath }}-{{ .Object.metadata.name }}' }, remote, {
        clusterName: 'testcluster',
        clusterPath: 'root:test:team',
      }).name,
    ).toBe('root:test:team-objname');
  });

  it('names the failing pattern when a template cannot render', () => {
    const clusterScoped = { metadata: { name: 'objname' } };
    expect(() => localObjectName(undefined, clusterScoped, { clusterName: 'c' })).toThrow(NamingError);
    expect(() => localObjectName(undefined, clusterScoped, { clusterName: 'c' })).toThrow(
      'spec.naming.name: executing "{{ .Object.metadata.namespace | sha3short }}": sha3short: argument 1 has no value (the field does not exist); expected a string',
    );
  });

  it('converts legacy patterns into equivalent templates', () => {
    expect(legacyPatternToTemplate('$remoteClusterName')).toBe('{{ .ClusterName }}');
    expect(legacyPatternToTemplate('x-$remoteNamespaceHash-$remoteNameHash')).toBe(
      'x-{{ .Object.metadata.namespace | shortHash }}-{{ .Object.metadata.name | shortHash }}',
    );
    expect(legacyPatternToTemplate('{{ .ClusterName }}')).toBe('{{ .ClusterName }}');
    for (const pattern of [
      '$remoteName',
      'a-$remoteNamespace',
      '$remoteNamespaceHash-$remoteNameHash',
      '$remoteClusterName',
    ]) {
      const origin = { clusterName: 'lc1' };
      expect(localObjectName({ name: legacyPatternToTemplate(pattern) }, remote, origin).name).toBe(
        localObjectName({ name: pattern }, remote, origin).name,
      );
    }
  });

  it('exports the default naming upstream documents', () => {
    expect(defaultNaming.name).toBe(
      '{{ .Object.metadata.namespace | sha3short }}-{{ .Object.metadata.name | sha3short }}',
    );
  });
});

describe('hashes', () => {
  it('computes SHA3-256 and its prefixes', () => {
    expect(sha3sum('objname')).toHaveLength(64);
    expect(sha3short('objname')).toBe('73d08a1ba188f1340dae');
    expect(sha3short('objname', 8)).toBe('73d08a1b');
    expect(sha3short('objname', 100)).toBe(sha3sum('objname'));
    expect(() => sha3short('objname', 0)).toThrow('sha3short: invalid length 0');
  });
  it('computes the legacy SHA-1 short hash', () => {
    expect(shortHash('')).toBe('da39a3ee5e6b4b0d3255');
  });
});
