import { randomBytes } from 'node:crypto';
import { DEFAULT_CONNECTFI_USERS, DEFAULT_FINTECTURE_CLIENTS, DEFAULT_MBANQ_TENANTS, startSandboxes, type SandboxSet } from '../sandbox/index.js';

/** The banking instance the example inputs name (`tenantId`). */
export const MBANQ_DEMO_TENANT = 'default';

/**
 * The credentials the example inputs reference, made up for this session and accepted by the
 * sandbox beside its published defaults (sandbox-app-id, sandbox_user, …), so both the example
 * inputs and credentials typed on the command line work.
 */
export async function startDemoSandboxes(): Promise<{ sandboxes: SandboxSet; secrets: Record<string, string> }> {
  const fintecture = { clientId: 'demo-merchant-app', clientSecret: `demo-${randomBytes(12).toString('hex')}` };
  const mbanq = {
    username: 'demo-api-user',
    password: `demo-${randomBytes(12).toString('hex')}`,
    clientId: 'demo-onboarding-app',
    clientSecret: `demo-${randomBytes(12).toString('hex')}`,
  };
  const connectFiPassword = `demo-${randomBytes(12).toString('hex')}`;
  const sandboxes = await startSandboxes({
    fintecture: { clients: { ...DEFAULT_FINTECTURE_CLIENTS, [fintecture.clientId]: fintecture.clientSecret } },
    mbanq: {
      tenants: {
        ...DEFAULT_MBANQ_TENANTS,
        [MBANQ_DEMO_TENANT]: {
          users: { ...DEFAULT_MBANQ_TENANTS[MBANQ_DEMO_TENANT]?.users, [mbanq.username]: mbanq.password },
          oauthClients: { ...DEFAULT_MBANQ_TENANTS[MBANQ_DEMO_TENANT]?.oauthClients, [mbanq.clientId]: mbanq.clientSecret },
        },
      },
    },
    connectfi: { users: { ...DEFAULT_CONNECTFI_USERS, demo_user: connectFiPassword } },
  });
  try {
    const res = await fetch(`${sandboxes.fintecture.url}/oauth/accesstoken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'customer',
        client_id: fintecture.clientId,
        client_secret: fintecture.clientSecret,
      }).toString(),
    });
    const body = (await res.json()) as { access_token?: string };
    if (res.status !== 200 || !body.access_token) throw new Error(`the sandbox refused the demo token request (${res.status})`);
    return {
      sandboxes,
      secrets: {
        'demo/fintecture/app': JSON.stringify(fintecture),
        'demo/fintecture/customers-token': body.access_token,
        'demo/mbanq/api-user': JSON.stringify(mbanq),
        'demo/connectfi/api-user': JSON.stringify({ password: connectFiPassword }),
      },
    };
  } catch (err) {
    await sandboxes.close();
    throw err;
  }
}
