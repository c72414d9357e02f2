import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A certificate and its private key, as PEM files. */
export interface CertificateFiles {
  /** PEM certificate; for a leaf, followed by its CA so that a server presents the whole chain. */
  cert: string;
  /** PEM private key (unencrypted; test use only). */
  key: string;
}

/** What a certificate issued by {@link TestCertificateAuthority.issue} is for. */
export type CertificateUse =
  | { kind: 'server'; hosts: readonly string[] }
  | { kind: 'client'; user: string; groups?: readonly string[] };

/**
 * A throw-away certificate authority for a test topology, made with the `openssl` command (EC P-256 keys,
 * fast to generate). The sharded kcp needs one for serving certificates every component trusts, and one
 * for the front proxy's client certificate that shards accept identity headers from.
 */
export class TestCertificateAuthority {
  readonly files: CertificateFiles;
  readonly #dir: string;
  readonly #name: string;

  private constructor(dir: string, name: string) {
    this.#dir = dir;
    this.#name = name;
    this.files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  }

  /** Creates a self-signed CA `<dir>/<name>.crt` (and `.key`) with common name `commonName`. */
  static async create(dir: string, name: string, commonName: string): Promise<TestCertificateAuthority> {
    const ca = new TestCertificateAuthority(dir, name);
    await openssl(dir, [
      'req',
      '-x509',
      ...EC_KEY,
      '-nodes',
      '-days',
      '365',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
      '-keyout',
      ca.files.key,
      '-out',
      ca.files.cert,
    ]);
    return ca;
  }

  /** The CA certificate as PEM text. */
  pem(): string {
    return readFileSync(this.files.cert, 'utf8');
  }

  /** Issues `<dir>/<name>.crt` (leaf, then this CA) and `.key` for a server or a client identity. */
  async issue(name: string, use: CertificateUse): Promise<CertificateFiles> {
    const files = { cert: join(this.#dir, `${name}.crt`), key: join(this.#dir, `${name}.key`) };
    const csr = join(this.#dir, `${name}.csr`);
    const extFile = join(this.#dir, `${name}.ext`);
    const subject =
      use.kind === 'server'
        ? `/CN=${name}`
        : `${(use.groups ?? []).map((g) => `/O=${g}`).join('')}/CN=${use.user}`;
    const extensions = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment'];
    if (use.kind === 'server') {
      const names = use.hosts.map((h) => (/^[\d.]+$/.test(h) ? `IP:${h}` : `DNS:${h}`));
      extensions.push('extendedKeyUsage=serverAuth', `subjectAltName=${names.join(',')}`);
    } else extensions.push('extendedKeyUsage=clientAuth');
    writeFileSync(extFile, `${extensions.join('\n')}\n`);
    await openssl(this.#dir, [
      'req',
      '-new',
      ...EC_KEY,
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      files.key,
      '-out',
      csr,
    ]);
    await openssl(this.#dir, [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      this.files.cert,
      '-CAkey',
      this.files.key,
      '-CAcreateserial',
      '-days',
      '365',
      '-extfile',
      extFile,
      '-out',
      files.cert,
    ]);
    writeFileSync(files.cert, readFileSync(files.cert, 'utf8') + this.pem());
    return files;
  }

  /** The CA's name, e.g. `serving-ca`. */
  get name(): string {
    return this.#name;
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

async function openssl(cwd: string, args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd, timeout: 30_000 });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new Error(
      `openssl ${args[0]} failed while making the sharded kcp's test certificates (is the openssl command installed?): ${detail}`,
      { cause: err },
    );
  }
}
