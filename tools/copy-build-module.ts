/**
 * `prepack` of the packages that can build binaries from source: ships a Go build module from tools/
 * inside the package, so that installed copies can build too.
 *
 *   node tools/copy-build-module.ts kcp-build kcp-provider    # tools/kcp-build  -> packages/kcp-provider/kcp-build
 *   node tools/copy-build-module.ts kube-build core           # tools/kube-build -> packages/core/kube-build
 */
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [moduleName, packageName] = process.argv.slice(2);
if (!moduleName || !packageName) {
  throw new Error('usage: copy-build-module.ts <directory under tools/> <directory under packages/>');
}
const source = fileURLToPath(new URL(`./${moduleName}/`, import.meta.url));
const target = fileURLToPath(new URL(`../packages/${packageName}/${moduleName}/`, import.meta.url));
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true, filter: (path) => !path.includes('/bin') });
