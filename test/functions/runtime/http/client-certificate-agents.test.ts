import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../../core/errors.js';
import { ClientCertificateAgents, describeTlsAlert } from '../../../../functions/runtime/http/index.js';
import { makeTestPki, type TestPki } from '../../../support/test-pki.js';

describe('ClientCertificateAgents', () => {
  let pki: TestPki;
  const agents = new ClientCertificateAgents({ maxAgents: 2 });
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => agents.close());

  it('keeps one agent per certificate (reused while the secret is unchanged), closing the least recently used past the bound', () => {
    const client = { cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert };
    const first = agents.agentFor(client, 'step a');
    expect(agents.agentFor({ ...client }, 'step b')).toBe(first);
    agents.agentFor({ cert: pki.strangerCert, key: pki.strangerKey }, 'step c');
    expect(agents.size).toBe(2);
    agents.agentFor({ cert: pki.serverCert, key: pki.serverKey }, 'step d');
    expect(agents.size).toBe(2);
    // The first was used before the stranger's, so it was the one closed: asking again makes a new agent.
    expect(agents.agentFor(client, 'step a')).not.toBe(first);
  });

  it('refuses what is not a certificate and its own key, naming the value and never the PEM', () => {
    const cases: [Parameters<ClientCertificateAgents['agentFor']>[0], RegExp][] = [
      [{ cert: 'not a certificate', key: pki.clientKey }, /step x: clientCert is not a PEM certificate/],
      [{ cert: pki.clientCert, key: 'not a key' }, /step x: clientKey: is not a PEM private key/],
      [{ cert: pki.clientCert, key: pki.strangerKey }, /step x: clientKey is not the private key of clientCert/],
      [{ cert: pki.clientCert, key: pki.clientKey, ca: 'nope' }, /step x: caCert is not a PEM certificate/],
    ];
    for (const [certificate, message] of cases) {
      let error: Error | undefined;
      try {
        agents.agentFor(certificate, 'step x');
      } catch (err) {
        error = err as Error;
      }
      expect(error?.name).toBe(ErrorCodes.Secret);
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain('BEGIN');
    }
  });

  it('names the alerts OpenSSL reports by RFC 8446 names, and nothing else', () => {
    expect(describeTlsAlert('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')).toBe('certificate required');
    expect(describeTlsAlert('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA')).toBe('unknown ca');
    expect(describeTlsAlert('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE')).toBe('bad certificate');
    expect(describeTlsAlert('ECONNRESET')).toBeUndefined();
    expect(describeTlsAlert(undefined)).toBeUndefined();
  });
});
