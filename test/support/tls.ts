/**
 * Certificates made at test time with openssl (keys are never committed): a CA and certificates it
 * signed for 127.0.0.1, and self-signed ones for pinning. Everything lands in the caller's temp folder.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCert {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
const LOOPBACK_SAN = 'subjectAltName=IP:127.0.0.1,DNS:localhost';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function read(dir: string, name: string): TestCert {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  return { certPath, keyPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

/** A self-signed certificate for 127.0.0.1 (what a node without a CA serves; clients pin it). */
export function selfSignedCert(dir: string, name: string): TestCert {
  openssl(
    ['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2'].concat([
      '-subj',
      `/CN=${name}`,
      '-addext',
      LOOPBACK_SAN,
    ]),
    dir,
  );
  return read(dir, name);
}

/** A CA, and a function making certificates for 127.0.0.1 signed by it. */
export function testCa(dir: string): TestCert & { issue(name: string): TestCert } {
  const ca = 'test-ca';
  openssl(
    [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
      '-days',
      '2',
      '-subj',
      '/CN=vfo test CA',
    ],
    dir,
  );
  return {
    ...read(dir, ca),
    issue(name) {
      openssl(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
      writeFileSync(join(dir, `${name}.ext`), `${LOOPBACK_SAN}\n`);
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-CA',
          `${ca}.crt`,
          '-CAkey',
          `${ca}.key`,
          '-CAcreateserial',
        ].concat(['-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]),
        dir,
      );
      return read(dir, name);
    },
  };
}
