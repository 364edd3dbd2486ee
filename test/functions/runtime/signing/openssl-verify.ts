// Verifies signatures with Debian's OpenSSL (an independent verifier): the signature base and
// signature go to files in a temporary folder, `openssl` answers "Verified OK" or fails.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type OpensslAlgorithm = 'rsa-sha256' | 'rsa-pss-sha512' | 'ed25519';

export function opensslVerifies(publicKeyPem: string, algorithm: OpensslAlgorithm, base: string, signature: Buffer): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'asfn-sig-'));
  try {
    writeFileSync(join(dir, 'pub.pem'), publicKeyPem);
    writeFileSync(join(dir, 'base'), base);
    writeFileSync(join(dir, 'sig'), signature);
    const args =
      algorithm === 'ed25519'
        ? ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'base', '-sigfile', 'sig']
        : [
            'dgst',
            algorithm === 'rsa-sha256' ? '-sha256' : '-sha512',
            ...(algorithm === 'rsa-pss-sha512' ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:64'] : []),
            '-verify',
            'pub.pem',
            '-signature',
            'sig',
            'base',
          ];
    try {
      const out = execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return /Verified OK|Signature Verified Successfully/.test(out);
    } catch {
      return false;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
