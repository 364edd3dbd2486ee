import { createPublicKey, type KeyObject } from 'node:crypto';
import { locateDescriptions } from '../http/locate-descriptions.js';
import type { SandboxTlsOptions } from '../http/index.js';
import { renderOAuthError } from '../oai-examples/shared/render-oauth-error.js';
import { startExampleSandbox, type ExampleSandbox, type ExampleSandboxOptions, type ExampleSimulator } from '../oai-examples/shared/start-example-sandbox.js';
import { psd2BankHandlers } from './psd2-bank-handlers.js';
import { resolvePsd2BankScenario, type Psd2BankScenario, type Psd2BankScenarioOverrides } from './psd2-bank-scenario.js';
import { createPsd2BankStore, type Psd2BankStore } from './psd2-bank-store.js';

export const PSD2_BANK_OPENAPI_FILE = 'psd2-bank-openapi.yml';

export interface Psd2BankSandboxOptions extends ExampleSandboxOptions<Psd2BankScenarioOverrides> {
  /** The server's certificate and key, and the CA whose client certificates the bank accepts (mutual TLS). */
  readonly tls: SandboxTlsOptions & { readonly clientCa: string };
  /** Client id → the public key (PEM or KeyObject) it registered for its private_key_jwt client assertions. */
  readonly clients: Readonly<Record<string, string | KeyObject>>;
  /** Client id → the subject (CN) of the certificate it registered for tls_client_auth (RFC 8705). @default {} */
  readonly certificateClients?: Readonly<Record<string, string>>;
}

export type Psd2BankSandbox = ExampleSandbox<Psd2BankStore, Psd2BankScenario, Psd2BankScenarioOverrides>;

/**
 * A PSD2 bank as FAPI profiles it, on loopback: HTTPS that refuses any connection without a
 * client certificate from `tls.clientCa`, a token endpoint that authenticates clients by
 * private_key_jwt assertions only (signature by the registered key, audience, expiry, jti
 * replay), access tokens bound to the client certificate, and an accounts API that checks the
 * binding. It serves workflows/openapi/psd2-bank-openapi.yml.
 */
export async function startPsd2BankSandbox(options: Psd2BankSandboxOptions): Promise<Psd2BankSandbox> {
  if (!options.tls?.clientCa) throw new Error('the PSD2 bank sandbox needs tls.cert, tls.key and tls.clientCa: it serves mutual TLS only');
  const publicKeys = new Map(Object.entries(options.clients).map(([id, key]) => [id, typeof key === 'string' ? createPublicKey(key) : key]));
  const simulator: ExampleSimulator<Psd2BankStore, Psd2BankScenario, Psd2BankScenarioOverrides> = {
    title: 'PSD2 bank',
    descriptions: [PSD2_BANK_OPENAPI_FILE],
    createStore: createPsd2BankStore,
    resolveScenario: resolvePsd2BankScenario,
    handlers: psd2BankHandlers(publicKeys, new Map(Object.entries(options.certificateClients ?? {}))),
    renderError: renderOAuthError,
  };
  return startExampleSandbox(simulator, { ...options, openApiDir: options.openApiDir ?? locateDescriptions('workflows/openapi', PSD2_BANK_OPENAPI_FILE) });
}
