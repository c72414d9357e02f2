// Generates @kubeloom/core's descriptors and types of every built-in kind from a real kube-apiserver's
// OpenAPI v3, with `kubeloom gen types`, into packages/core/src/client/builtins/generated/.
//   node tools/gen-builtin-types.ts --kubeconfig <path> [--check]
// The kube-apiserver must be the version the test environment runs (KUBERNETES_VERSION), so that the
// output is the same on every machine; test/e2e/builtin-types.test.ts runs --check against it.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { genTypes } from '../packages/cli/src/gen-types/gen-types.ts';

/** Where the generated files live, relative to the repository root. */
export const BUILTIN_TYPES_DIR = 'packages/core/src/client/builtins/generated';

/** Options of {@link generateBuiltinTypes}. */
export interface GenerateBuiltinTypesOptions {
  /** Kubeconfig of the kube-apiserver to read. */
  readonly kubeconfig: string;
  /** Compare with the files on disk instead of writing them. */
  readonly check?: boolean;
}

/** `kubeloom gen types` over every built-in group, importing from core's own small module. */
export function generateBuiltinTypes(options: GenerateBuiltinTypesOptions) {
  return genTypes({
    cluster: { groups: ['builtin'], kubeconfig: options.kubeconfig },
    outDir: join(import.meta.dirname, '..', BUILTIN_TYPES_DIR),
    importFrom: '../core-parts.ts',
    check: options.check ?? false,
  });
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, check: { type: 'boolean' } } });
  if (!values.kubeconfig) throw new Error('gen-builtin-types: --kubeconfig <path> is required');
  const result = await generateBuiltinTypes({ kubeconfig: values.kubeconfig, check: values.check ?? false });
  const where = `${result.files.length} files in ${BUILTIN_TYPES_DIR}`;
  if (!values.check) {
    console.log(`kubeloom gen types: ${where}, ${result.written.length} written`);
  } else if (result.differences.length === 0) {
    console.log(`kubeloom gen types --check: ${where} up to date`);
  } else {
    console.error(
      [
        `kubeloom gen types --check: ${result.differences.length} of ${where} differ from what the kube-apiserver generates:`,
        ...result.differences.map((d) => `  ${d.fileName}: ${d.difference}`),
        'Run node tools/gen-builtin-types.ts --kubeconfig <kubeconfig> without --check, and commit the result.',
      ].join('\n'),
    );
    process.exitCode = 1;
  }
}
