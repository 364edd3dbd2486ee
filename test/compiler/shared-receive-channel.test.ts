import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../compiler/index.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/asyncapi');

const warnings = async (file: string) =>
  (await compileFile(join(FIXTURES, file))).diagnostics.filter((d) => d.code === 'ASFN2206').map((d) => formatDiagnostic(d));

describe('receive steps on two channels that one queue, topic or event pattern carries (ASFN2206)', () => {
  it('are compiled and warned at the second channel\'s step: a message there goes to the first step on either channel that matches it', async () => {
    expect(await warnings('shared-queue/warehouse.arazzo.yml')).toEqual([
      'test/fixtures/asyncapi/shared-queue/warehouse.arazzo.yml:24:5: warning ASFN2206 step "awaitWeighed" receives on channel "parcelWeighed", which reads the same SQS queue "warehouse" as channel "parcelPacked" (step "awaitPacked"): nothing there tells the two channels\' messages apart, so each message goes to the first receive step on either channel whose correlation id it matches, and to that step only [shared-receive-channel]',
    ]);
  });

  it('are not warned when each channel has its own queue, topic or event pattern', async () => {
    expect(await warnings('parcel.arazzo.yml')).toEqual([]);
  });
});

describe('a receive step on the queue, topic or event pattern a send step of its workflow publishes on (ASFN2215)', () => {
  const ownSend = async (file: string) =>
    (await compileFile(join(FIXTURES, file))).diagnostics.filter((d) => d.code === 'ASFN2215').map((d) => formatDiagnostic(d));

  it('is warned: the topic rule (or queue, or subscription) takes the workflow\'s own message too', async () => {
    expect(await ownSend('game-mqtt-echo.arazzo.yml')).toEqual([
      expect.stringMatching(/^test\/fixtures\/asyncapi\/game-mqtt-echo\.arazzo\.yml:\d+:\d+: warning ASFN2215 step "awaitMove" receives on MQTT topic "game\/moves", which step "submitMove" of this workflow sends on: .* \[receive-own-send\]$/),
    ]);
  });

  it('is not warned when the answer comes on a place of its own', async () => {
    expect(await ownSend('game-mqtt.arazzo.yml')).toEqual([]);
    expect(await ownSend('lamp-dimming.arazzo.yml')).toEqual([]);
  });
});
