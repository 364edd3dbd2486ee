import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../compiler/index.js';
import { isWorkflowStep, type StepPlan } from '../../core/plan.js';

/** A game service on MQTT, as the Tic Tac Toe example has it: moves go out on one topic, the board comes back on another. */
const GAME = (server = 'protocol: mqtt', extraChannels = '', extraOperations = '') => `asyncapi: 3.0.0
info: { title: game, version: '1' }
servers:
  broker: { host: broker.example.com, ${server} }
channels:
  moves:
    address: game/moves
    messages:
      move:
        headers: { type: object, properties: { gameId: { type: string }, player: { type: string } } }
        payload: { type: object }
  board:
    address: game/board
    messages:
      board:
        correlationId: { location: $message.header#/gameId }
        headers: { type: object, properties: { gameId: { type: string } } }
        payload: { type: object }
${extraChannels}
operations:
  sendMove:
    action: send
    channel: { $ref: '#/channels/moves' }
    bindings: { mqtt: { qos: 1, retain: true, bindingVersion: 0.2.0 } }
  receiveBoard:
    action: receive
    channel: { $ref: '#/channels/board' }
${extraOperations}
`;

const STEPS = `  - stepId: move
    operationId: sendMove
    action: send
    parameters:
    - { name: gameId, in: header, value: $inputs.id }
    requestBody: { payload: { cell: 4 } }
  - stepId: board
    operationId: receiveBoard
    action: receive
    correlationId: $inputs.id
    timeout: 5000
    outputs: { winner: $message.payload#/winner, turn: $message.header.x-turn }
`;

async function compileSteps(steps: string, asyncapi: string) {
  const dir = await mkdtemp(join(tmpdir(), 'arazzo-mqtt-'));
  await writeFile(join(dir, 'game.asyncapi.yml'), asyncapi);
  const file = join(dir, 'doc.arazzo.yml');
  await writeFile(
    file,
    `arazzo: 1.1.0
info: { title: t, version: '1' }
sourceDescriptions:
- { name: game, url: ./game.asyncapi.yml, type: asyncapi }
workflows:
- workflowId: w
  inputs: { type: object, properties: { id: { type: string } } }
  steps:
${steps}`,
  );
  const result = await compileFile(file);
  const lines = result.diagnostics.map((d) => formatDiagnostic(d).replace(dir, '.'));
  const plans = (result.workflows[0]?.plan.steps ?? []).filter((s): s is StepPlan => !isWorkflowStep(s));
  return { result, plans, errors: lines.filter((l) => / error /.test(l)), warnings: lines.filter((l) => / warning /.test(l)) };
}

describe('MQTT channels (AWS IoT Core): compiled with the topic, QoS, retain and the headers a message carries', () => {
  it('a send and a receive on an MQTT server: topic = address, QoS and retain from the operation binding, headers from the schema, the correlation and the steps', async () => {
    const { errors, warnings, plans } = await compileSteps(STEPS, GAME());
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    const [move, board] = plans;
    expect(move.channel?.transport).toEqual({ kind: 'mqtt', topic: 'game/moves', qos: 1, retain: true, headers: ['gameId', 'player'] });
    expect(board.channel?.transport).toEqual({ kind: 'mqtt', topic: 'game/board', qos: 1, retain: false, headers: ['gameId', 'x-turn'] });
    expect(board.receive).toMatchObject({ correlationId: '$inputs.id', correlationLocation: '$message.header#/gameId', timeoutSeconds: 5 });
  });

  it('secure-mqtt and mqtt5 servers are MQTT too, and an mqtt binding on an operation makes its channel MQTT beside an HTTP server', async () => {
    for (const server of ['protocol: secure-mqtt', 'protocol: mqtt5', 'protocol: https']) {
      const doc = server === 'protocol: https' ? GAME(server).replace("channel: { $ref: '#/channels/board' }", "channel: { $ref: '#/channels/board' }\n    bindings: { mqtt: { qos: 0 } }") : GAME(server);
      const { errors, plans } = await compileSteps(STEPS, doc);
      expect(errors, server).toEqual([]);
      expect(plans[1].channel?.transport.kind, server).toBe('mqtt');
    }
  });

  it('a channel whose servers are MQTT ones only is MQTT, in a description that also has an HTTP server (AsyncAPI 3.0 channel servers)', async () => {
    const doc = GAME('protocol: mqtt }\n  web: { host: api.example.com, protocol: https')
      .replace('    address: game/board\n', "    address: game/board\n    servers: [{ $ref: '#/servers/broker' }]\n")
      .replace('    address: game/moves\n', "    address: game/moves\n    servers: [{ $ref: '#/servers/broker' }]\n");
    const { errors, plans } = await compileSteps(STEPS, doc);
    expect(errors).toEqual([]);
    expect(plans.map((p) => p.channel?.transport.kind)).toEqual(['mqtt', 'mqtt']);
    // Without the channel's servers, the HTTP server carries it, as before.
    const http = await compileSteps(STEPS, GAME('protocol: mqtt }\n  web: { host: api.example.com, protocol: https'));
    expect(http.plans[1].channel?.transport.kind).toBe('http');
  });

  it('QoS 2 compiles as QoS 1 with a warning that says why the workflow still sees each message once (ASFN2175)', async () => {
    const { errors, warnings, plans } = await compileSteps(STEPS, GAME().replace('qos: 1, retain: true', 'qos: 2'));
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(/doc\.arazzo\.yml:10:18: warning ASFN2175 step "move": the mqtt binding asks for QoS 2 \(exactly once\), which AWS IoT Core does not offer; it is compiled as QoS 1 .*a repeat of a message it took \(the same payload\) is answered as a duplicate and resumes nothing \[mqtt-qos2\]/),
    ]);
    expect(plans[0].channel?.transport).toMatchObject({ qos: 1, retain: false });
  });

  it('a topic AWS IoT Core cannot take is refused by name, at the step (ASFN1175, ASFN1176, ASFN1177)', async () => {
    const bad = (address: string) => GAME().replace('address: game/moves', `address: '${address}'`);
    const cases: [string, RegExp][] = [
      ['game/{gameId}/moves', /error ASFN1175 step "move": MQTT topic "game\/\{gameId\}\/moves" cannot be used: its address has \{parameters\}, and a send or receive step gives no value for a channel parameter/],
      ['game/+/moves', /error ASFN1176 .*MQTT wildcard \(\+ or #\)/],
      ['game/#', /error ASFN1176 /],
      ['$aws/things/x/shadow/update', /error ASFN1177 .*begins with \$, which AWS IoT Core reserves/],
      ['a/b/c/d/e/f/g/h/i', /error ASFN1177 .*has 8 forward slashes, and AWS IoT Core takes at most 7/],
      ['t'.repeat(257), /error ASFN1177 .*257 bytes long, and AWS IoT Core takes at most 256/],
      ["game''s/moves", /error ASFN1177 .*contains ', which AWS IoT SQL cannot quote/],
    ];
    for (const [address, expected] of cases) {
      const { errors } = await compileSteps(STEPS, bad(address));
      expect(errors, address).toEqual([expect.stringMatching(expected)]);
    }
    // Seven slashes is the most, and it compiles.
    expect((await compileSteps(STEPS, bad('a/b/c/d/e/f/g/h'))).errors).toEqual([]);
  });

  it('a header name an IoT rule cannot quote is refused by name (ASFN1178); a qos outside 0-2 is a broken MUST of the binding (ASFN1180)', async () => {
    const quoted = await compileSteps(STEPS.replace('{ name: gameId, in: header', '{ name: "game`Id", in: header'), GAME());
    expect(quoted.errors).toEqual([expect.stringMatching(/error ASFN1178 step "move": header "game`Id" cannot travel as an MQTT 5 user property through an AWS IoT rule: it contains `/)]);
    const qos = await compileSteps(STEPS, GAME().replace('qos: 1, retain: true', 'qos: 3'));
    expect(qos.errors).toEqual([expect.stringMatching(/error ASFN1180 step "move": the mqtt binding's qos must be 0, 1 or 2 \(MQTT binding\), not 3 \[mqtt-binding\]/)]);
  });

  it('MQTT 3.1.1 has no user properties: headers sent are a warning (ASFN2176), a receive correlated on a header an error (ASFN1179)', async () => {
    const { errors, warnings } = await compileSteps(STEPS, GAME('protocol: mqtt, protocolVersion: 3.1.1'));
    expect(warnings).toEqual([expect.stringMatching(/doc\.arazzo\.yml:13:5: warning ASFN2176 step "move" sends headers \(gameId\), but the description's MQTT servers speak MQTT 3\.1\.1 .*a 3\.1\.1 subscriber never sees them \[mqtt-311-headers\]/)]);
    expect(errors).toEqual([expect.stringMatching(/doc\.arazzo\.yml:18:20: error ASFN1179 step "board" correlates on header "gameId" \(\$message\.header#\/gameId\), but .*no message can ever match \[mqtt-311-correlation\]/)]);
    // On MQTT 5 (or when the description does not say) the same steps compile.
    expect((await compileSteps(STEPS, GAME('protocol: mqtt, protocolVersion: 5'))).errors).toEqual([]);
  });
});
