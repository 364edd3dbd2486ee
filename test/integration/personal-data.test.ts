import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFile } from '../../compiler/index.js';
import type { CompiledWorkflow } from '../../compiler/compile-file.js';
import { handleWorkflowFunction } from '../../functions/runtime/handle-workflow-function.js';
import { sealPersonalInputs } from '../../functions/runtime/personal/seal-personal-inputs.js';
import { AesGcmSealer, InMemorySecretsProvider, isSealed, secretForms } from '../../functions/runtime/secrets/index.js';
import { historyToJson } from '../../local/history/index.js';
import { LocalWorkflow } from '../../local/run-workflow.js';
import { startSfnEndpoint } from '../../local/sfn-endpoint/index.js';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { pageHistory, sfnClient, tempDir, waitForEnd } from '../local/sfn-endpoint/support/endpoint-harness.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/personal/onboarding.arazzo.yml');
const EMAIL = 'ana.souza+onboard@example.org';
const NAME = 'Ana Lúcia Souza';
const IBAN = 'FR7630006000011234567890189';
const INPUT = { email: EMAIL, plan: 'gold', holder: { name: NAME, iban: IBAN, country: 'FR' } };

const carries = (text: string, values: readonly string[]) => values.filter((v) => secretForms(v).some((f) => text.includes(f)));

describe('personal data declared in the inputs schema, by step, and by configuration (issue 19 §4)', () => {
  let server: Server;
  let url: string;
  const received: unknown[] = [];
  const sealer = new AesGcmSealer();
  let compiled: CompiledWorkflow;

  beforeAll(async () => {
    // The provider (a real HTTP server on loopback) echoes the holder's name and e-mail, as many do.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const sent = JSON.parse(body) as { email: string; holder: { name: string } };
        received.push(sent);
        // An e-mail that asks for it is answered late, so an execution stays RUNNING a moment.
        const delay = sent.email.startsWith('slow') ? 1500 : 0;
        setTimeout(() => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'cus_1', holderName: sent.holder.name, email: sent.email })), delay);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await compileFile(FIXTURE);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    compiled = result.workflows[0];
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('plans the schema-marked inputs at any depth, and seals outputs that read them or are declared personal', () => {
    expect(compiled.plan.personalInputs).toEqual(['email', 'holder.name', 'holder.iban']);
    const step = compiled.plan.steps[0];
    expect([...step.sealedOutputs].sort()).toEqual(['contact', 'echoedName']);
  });

  it('the execution carries them sealed from its first event; only the step that sends them opens them; outputs echoing them are sealed', async () => {
    const execution = await new LocalWorkflow(compiled).run(INPUT, { runtime: { secrets: new InMemorySecretsProvider(), sealer, serverUrls: { api: url } } });
    expect(execution.status).toBe('SUCCEEDED');
    // The provider got the values (opened at request build time).
    expect(received.at(-1)).toEqual({ email: EMAIL, holder: { name: NAME, iban: IBAN, country: 'FR' }, plan: 'gold' });
    const input = execution.input as typeof INPUT;
    expect(isSealed(input.email) && isSealed(input.holder.name) && isSealed(input.holder.iban)).toBe(true);
    expect(input.holder.country).toBe('FR');
    const history = JSON.stringify(historyToJson(execution.history));
    expect(carries(history, [EMAIL, NAME, IBAN])).toEqual([]);
    const output = execution.output as Record<string, string>;
    expect(output.customerId).toBe('cus_1');
    expect(isSealed(output.contact) && isSealed(output.email)).toBe(true);
    const stepOutputs = execution.invocations.find((i) => i.stateName === 'create')!.output as { outputs: Record<string, string> };
    // echoedEmail is sealed at run time: its value carries a value the step opened.
    expect(isSealed(stepOutputs.outputs.echoedName) && isSealed(stepOutputs.outputs.echoedEmail)).toBe(true);
    expect(JSON.parse(await sealer.unseal(output.contact, 'arazzo-sfn'))).toBe(EMAIL);
  });

  it('the input check refuses a personal input that arrives unsealed, and checks a sealed one against its schema without quoting it', async () => {
    await expect(handleWorkflowFunction(compiled.plan, { workflow: 'onboard', inputs: INPUT }, { sealer })).rejects.toThrow(
      /inputs\.email: is personal data, so the execution input must carry it sealed/,
    );
    const bad = (await sealPersonalInputs(compiled.plan, { ...INPUT, email: 'not-an-e-mail' }, sealer)) as Record<string, unknown>;
    const refused = handleWorkflowFunction(compiled.plan, { workflow: 'onboard', inputs: bad }, { sealer });
    await expect(refused).rejects.toThrow(/inputs\.email: must match format "email"/);
    await expect(refused).rejects.not.toThrow(/not-an-e-mail/);
    const good = (await sealPersonalInputs(compiled.plan, INPUT, sealer)) as Record<string, unknown>;
    const state = (await handleWorkflowFunction(compiled.plan, { workflow: 'onboard', inputs: good }, { sealer })) as { inputs: Record<string, unknown> };
    expect(state.inputs).toEqual(good);
  });

  it('configuration declares inputs and step outputs of a document kept verbatim, and names what it cannot find', async () => {
    const result = await compileFile(FIXTURE, { personalData: { onboard: ['/plan', '$steps.create.outputs.customerId', 'holder.nickname', '$steps.create.outputs.nope'] } });
    const plan = result.workflows[0].plan;
    expect(plan.personalInputs).toEqual(['plan', 'holder.nickname', 'email', 'holder.name', 'holder.iban']);
    expect(plan.steps[0].sealedOutputs).toContain('customerId');
    const warnings = result.diagnostics.filter((d) => d.code === 'ASFN2110').map((d) => d.message);
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toMatch(/"holder\.nickname" names no input/);
    expect(warnings.join('\n')).toMatch(/"\$steps\.create\.outputs\.nope" names no output/);
  });

  it('the local endpoint is their starter: StartExecution seals them before ExecutionStarted is written, and a repeated start with the same plain input is idempotent', async () => {
    const tmp = await tempDir();
    const endpoint = await startSfnEndpoint({ dbFile: tmp.db, workflowFiles: [FIXTURE], serverUrls: { api: url }, sealKey: Buffer.alloc(32, 7) });
    const client = sfnClient(endpoint);
    try {
      const stateMachineArn = endpoint.stateMachines.find((m) => m.name === 'onboard')!.arn;
      const input = JSON.stringify({ ...INPUT, email: `slow.${EMAIL}` });
      const started = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'onboard-1', input }));
      // AWS answers a repeated start of a running execution with the same input by the same execution.
      const again = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'onboard-1', input }));
      expect(again.executionArn).toBe(started.executionArn);
      const described = await waitForEnd(client, started.executionArn!);
      expect(described.status).toBe('SUCCEEDED');
      const stored = JSON.parse(described.input!) as typeof INPUT;
      expect(isSealed(stored.email) && isSealed(stored.holder.iban)).toBe(true);
      const history = JSON.stringify(await pageHistory(client, started.executionArn!));
      expect(carries(JSON.stringify(described) + history, [`slow.${EMAIL}`, NAME, IBAN])).toEqual([]);
      expect(received.at(-1)).toMatchObject({ email: `slow.${EMAIL}`, holder: { iban: IBAN } });
      const output = (await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))).output!;
      expect(isSealed((JSON.parse(output) as { email: string }).email)).toBe(true);
    } finally {
      client.destroy();
      await endpoint.close();
      await tmp.remove();
    }
  }, 30_000);
});
