import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../../compiler/index.js';
import type { StepPlan } from '../../../../core/plan.js';
import { handleStep } from '../../../../functions/runtime/handle-step.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../../functions/runtime/secrets/index.js';
import { LocalBroker } from '../../../../local/local-broker.js';

const LOWERCASE = join(import.meta.dirname, '../../../fixtures/asyncapi/game-mqtt-lowercase-header.arazzo.yml');

describe('a send step on an MQTT channel names its user properties as the AsyncAPI message does', () => {
  it('a header parameter spelled gameid goes as gameId, the header the description declares (AWS IoT matches user property names exactly)', async () => {
    const [game] = (await compileFileOrThrow(LOWERCASE)).workflows;
    const send = game.plan.steps.find((s) => s.stepId === 'submitMove') as StepPlan;
    const broker = new LocalBroker();
    const result = await handleStep(send, { step: 'submitMove', inputs: { gameId: 'g-1', cell: 4 }, steps: {} }, { secrets: new InMemorySecretsProvider(), sealer: new AesGcmSealer(), messages: broker });
    expect(result.outcome).not.toMatch(/fail/i);
    expect(broker.messages('mqtt:game/moves').map((m) => m.message.headers)).toEqual([{ gameId: 'g-1' }]);
  });
});
