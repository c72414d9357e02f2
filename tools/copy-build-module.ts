/**
 * `prepack` of @kubeloom/kcp-provider: ships the Go module that builds kcp (tools/kcp-build) inside the
 * package as kcp-build/, so that installed copies can build kcp from source too.
 */
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('./kcp-build/', import.meta.url));
const target = fileURLToPath(new URL('../packages/kcp-provider/kcp-build/', import.meta.url));
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true, filter: (path) => !path.includes('/bin') });
