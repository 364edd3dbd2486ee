import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../compiler/index.js';

const NOTIFY_ASYNCAPI = join(import.meta.dirname, '../fixtures/asyncapi/notify.asyncapi.yml');

/** A send step on each broker of the notify fixture with `count` header parameters (or these names); its diagnostics of one severity. */
async function compileSends(count: number | readonly string[], severity: 'error' | 'warning' = 'error') {
  const dir = await mkdtemp(join(tmpdir(), 'arazzo-broker-headers-'));
  await writeFile(join(dir, 'notify.asyncapi.yml'), await readFile(NOTIFY_ASYNCAPI));
  const names = typeof count === 'number' ? Array.from({ length: count }, (_, i) => `x-h${i}`) : count;
  const headers = names.map((name) => `      - { name: ${name}, in: header, value: v }`).join('\n');
  const step = (id: string, operationId: string) => `  - stepId: ${id}\n    operationId: ${operationId}\n    action: send\n    parameters:\n${headers}\n    requestBody: { payload: { a: 1 } }`;
  const file = join(dir, 'doc.arazzo.yml');
  await writeFile(
    file,
    `arazzo: 1.1.0
info: { title: t, version: '1' }
sourceDescriptions:
- { name: notify, url: ./notify.asyncapi.yml, type: asyncapi }
workflows:
- workflowId: w
  steps:
${step('queue', 'queueOrder')}
${step('announce', 'announceOrder')}
${step('emit', 'emitOrderEvent')}
`,
  );
  const result = await compileFile(file);
  return result.diagnostics.filter((d) => d.severity === severity).map((d) => formatDiagnostic(d).replace(dir, '.'));
}

describe('a send step on SQS or SNS carries at most 10 headers (message attributes)', () => {
  it('refuses 11 on the queue and the topic by name (ASFN1165 at the parameters), and lets EventBridge carry them in its detail', async () => {
    expect(await compileSends(11)).toEqual([
      './doc.arazzo.yml:12:7: error ASFN1165 step "queue" sends 11 headers on SQS, which carries at most 10 message attributes: the broker would refuse every message [broker-message-attributes]',
      './doc.arazzo.yml:28:7: error ASFN1165 step "announce" sends 11 headers on SNS, which carries at most 10 message attributes: the broker would refuse every message [broker-message-attributes]',
    ]);
  });

  it('compiles 10', async () => {
    expect(await compileSends(10)).toEqual([]);
  });
});

describe('a send step on EventBridge with a header named as an envelope field', () => {
  it('is warned (ASFN2205): a receive step reads EventBridge\'s own id, source, detail-type, time, account and region, never the detail\'s', async () => {
    expect(await compileSends(['Account', 'source', 'x-trace'], 'warning')).toEqual([
      './doc.arazzo.yml:28:7: warning ASFN2205 step "emit" sends a header "account" on EventBridge, whose event envelope has a field of that name: a receive step reads $message.header.account as EventBridge\'s account, not this header; rename it [eventbridge-envelope-header]',
      './doc.arazzo.yml:28:7: warning ASFN2205 step "emit" sends a header "source" on EventBridge, whose event envelope has a field of that name: a receive step reads $message.header.source as EventBridge\'s source, not this header; rename it [eventbridge-envelope-header]',
    ]);
  });
});
