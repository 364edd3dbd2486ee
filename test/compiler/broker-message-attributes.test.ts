import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../compiler/index.js';

const NOTIFY_ASYNCAPI = join(import.meta.dirname, '../fixtures/asyncapi/notify.asyncapi.yml');

/** A send step on each broker of the notify fixture with `count` header parameters. */
async function compileSends(count: number) {
  const dir = await mkdtemp(join(tmpdir(), 'arazzo-broker-headers-'));
  await writeFile(join(dir, 'notify.asyncapi.yml'), await readFile(NOTIFY_ASYNCAPI));
  const headers = Array.from({ length: count }, (_, i) => `      - { name: x-h${i}, in: header, value: v }`).join('\n');
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
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).replace(dir, '.'));
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
