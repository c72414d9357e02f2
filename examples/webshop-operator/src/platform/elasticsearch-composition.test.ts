import { describe, expect, it } from 'vitest';
import { compositionPostgresName } from './elasticsearch-composition.ts';

describe('compositionPostgresName', () => {
  it('names the Postgres after its Elasticsearch and a stable hash of the namespace', () => {
    const name = compositionPostgresName({ metadata: { name: 'shop-search', namespace: 'a1b2-search' } });
    expect(name).toMatch(/^shop-search-db-[0-9a-f]{6}$/);
    expect(compositionPostgresName({ metadata: { name: 'shop-search', namespace: 'a1b2-search' } })).toBe(
      name,
    );
  });

  it('keeps same-named instances of two namespaces apart', () => {
    expect(compositionPostgresName({ metadata: { name: 'shop-search', namespace: 'acme-search' } })).not.toBe(
      compositionPostgresName({ metadata: { name: 'shop-search', namespace: 'globex-search' } }),
    );
  });
});
