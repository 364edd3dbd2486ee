import { it } from 'vitest';
import { startSeedHarness, SEED_000, SEED_001, seed000Input, seed001Input } from './support/seed-harness.js';
it('explore', async () => {
  const h = await startSeedHarness();
  await h.mintToken('customer', 'customersToken');
  let r = await h.run(SEED_000, seed000Input('jane+pending0+verified@example.com'), { faults: [{ operationId: 'getCustomerVerificationById', status: 503, times: 2 }] });
  console.log(r.execution.status, JSON.stringify(r.execution.output));
  console.log(r.formattedHistory);
  console.log(JSON.stringify(r.requests));
  r = await h.run(SEED_000, seed000Input('jane@example.com'), { faults: [{ operationId: 'createCustomer', status: 400 }] });
  console.log(r.execution.status, r.execution.error, r.execution.cause);
  console.log(r.formattedHistory);
  r = await h.run(SEED_000, seed000Input('jane@example.com', { accessToken: 'rawtokenvalue123', email: 5, firstName: undefined }));
  console.log(r.execution.status, r.execution.error, r.execution.cause);
  r = await h.run(SEED_001, seed001Input('8b5d5a36-3d0b-4c4e-9a53-3f7d2a2f0e11'));
  console.log(r.execution.status, r.execution.error, r.execution.cause, JSON.stringify(r.execution.output), JSON.stringify(h.sandbox.stats));
  console.log(r.formattedHistory);
  await h.close();
}, 60000);
