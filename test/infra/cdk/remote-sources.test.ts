import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Errors, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFile } from '../../../compiler/compile-file.js';
import { isWorkflowStep, type StepPlan } from '../../../core/plan.js';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { oneGetOpenApi, oneStepArazzo } from '../../support/one-step-documents.js';

// `cdk synth` never fetches (docs/remote-sources.md): the construct reads a remote source only
// from the lock file and its vendored copies, against a real HTTP server on loopback that counts
// every request.

const OPENAPI = oneGetOpenApi({ schema: '{ $ref: "./schemas/id.yaml" }', server: '/api', title: 'remote' });
const arazzo = (url: string) => oneStepArazzo(url, 'remote');

let server: Server;
let base: string;
let dir: string;
let requests: string[] = [];
let serving = true;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (!serving) return void res.writeHead(503).end();
    if (req.url === '/specs/openapi.yaml') return void res.writeHead(200).end(OPENAPI);
    if (req.url === '/specs/schemas/id.yaml') return void res.writeHead(200).end('{ type: string }\n');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-cdk-remote-'));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function documentIn(name: string): Promise<string> {
  await mkdir(join(dir, name), { recursive: true });
  const file = join(dir, name, 'remote.arazzo.yml');
  await writeFile(file, arazzo(`${base}/specs/openapi.yaml`));
  return file;
}

describe('ArazzoWorkflow: remote source descriptions', () => {
  it('GIVEN no lock file WHEN constructed THEN a ValidationError names the command that fetches, and nothing is fetched', async () => {
    // GIVEN
    const file = await documentIn('unlocked');
    requests = [];
    // WHEN
    let thrown: unknown;
    try {
      new ArazzoWorkflow(new Stack(new App(), 'Test'), 'Workflow', { arazzoFile: file, workflowId: 'w' });
    } catch (err) {
      thrown = err;
    }
    // THEN
    expect(Errors.isValidationError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(/Test\/Workflow: .*ASFN1027 source "api": http:\S+ is not fetched when offline, and there is no lock file .*run `arazzo-sfn compile --update-lock \S*remote\.arazzo\.yml`/s);
    expect(requests).toEqual([]);
  }, 120_000);

  it('GIVEN a lock and its vendored copies WHEN constructed with the server down THEN it compiles from the locked copies without a request', async () => {
    // GIVEN
    const file = await documentIn('locked');
    serving = true;
    const locked = await compileFile(file, { validateAsl: false });
    expect(locked.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    serving = false;
    requests = [];
    // WHEN
    const workflow = new ArazzoWorkflow(new Stack(new App(), 'Test'), 'Workflow', { arazzoFile: file, workflowId: 'w' });
    // THEN
    const steps = workflow.compiled.plan.steps.filter((s): s is StepPlan => !isWorkflowStep(s));
    expect(steps.map((s) => s.operation.serverUrl)).toEqual([`${base}/api`]);
    expect(requests).toEqual([]);
  }, 180_000);
});
