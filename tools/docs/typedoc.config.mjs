// API reference for the published packages, written to docs/api/ (not committed).
/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'kubeloom',
  entryPointStrategy: 'packages',
  entryPoints: [
    '../../packages/core',
    '../../packages/kcp-provider',
    '../../packages/kind-provider',
    '../../packages/cli',
  ],
  packageOptions: {
    entryPoints: ['src/index.ts', 'src/testing/index.ts'],
    excludePrivate: true,
    excludeInternal: true,
    // Source links need a git remote; the reference is read next to the code anyway.
    disableSources: true,
  },
  out: '../../docs/api',
  readme: '../../README.md',
  validation: { notExported: false, invalidLink: true, notDocumented: true },
  // An undocumented public member fails the build (see the plugin); other validation warnings do not.
  plugin: [new URL('./fail-on-undocumented.mjs', import.meta.url).pathname],
  // Without this, typedoc checks only the members of the root package (which exports nothing), so the
  // notDocumented validation above found nothing to report.
  packagesRequiringDocumentation: [
    '@kubeloom/core',
    '@kubeloom/kcp-provider',
    '@kubeloom/kind-provider',
    '@kubeloom/cli',
  ],
  // Helpers of the patch body types: part of how those types are computed, not something to use.
  intentionallyNotExported: [
    'ApplyFields',
    'Escaped',
    'IsUntyped',
    'MergePatchValue',
    'Pointers',
    'StrategicValue',
    'UntypedOperation',
  ],
  treatWarningsAsErrors: false,
};
