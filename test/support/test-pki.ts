import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM texts of a throw-away PKI: made fresh by each test run, never committed. */
export interface TestPki {
  /** The CA that signed both certificates: the server trusts it for clients, the client for the server. */
  readonly caCert: string;
  /** The server's certificate (subjectAltName 127.0.0.1, localhost) and key. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate (CN `client`) and key, for mutual TLS. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate signed by another CA: the server must refuse it. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

const openssl = (dir: string, args: readonly string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

function issue(dir: string, name: string, subject: string, ca: string, extensions: string): void {
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
}

function selfSignedCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=arazzo-sfn test CA ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/**
 * A CA, a server certificate for loopback and client certificates, made with Debian's OpenSSL in
 * a temporary folder that is removed before this returns: the keys exist only in the test's memory.
 */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'arazzo-pki-'));
  try {
    selfSignedCa(dir, 'ca');
    selfSignedCa(dir, 'other-ca');
    issue(dir, 'server', '/CN=localhost', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    issue(dir, 'client', '/CN=client', 'ca', 'extendedKeyUsage=clientAuth\n');
    issue(dir, 'stranger', '/CN=stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');
    return {
      caCert: read('ca.crt'),
      serverCert: read('server.crt'),
      serverKey: read('server.key'),
      clientCert: read('client.crt'),
      clientKey: read('client.key'),
      strangerCert: read('stranger.crt'),
      strangerKey: read('stranger.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
