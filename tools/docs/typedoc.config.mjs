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
  treatWarningsAsErrors: false,
};
