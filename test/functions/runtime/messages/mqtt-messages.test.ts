import { describe, expect, it } from 'vitest';
import {
  IOT_SQL_VERSION,
  iotRuleSql,
  isMqttRuleEvent,
  messageOfMqttRuleEvent,
  mqttRuleEventOf,
  unquotableInIotSql,
} from '../../../../functions/runtime/messages/mqtt-messages.js';
import { brokerTargetName } from '../../../../functions/runtime/messages/publish-message.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('MQTT channels: the IoT topic rule SQL and the event it hands the broker receiver', () => {
  it('the target name of an MQTT channel is mqtt:<topic>', () => {
    expect(brokerTargetName({ kind: 'mqtt', topic: 'game/moves', qos: 1, retain: false, headers: [] })).toBe('mqtt:game/moves');
  });

  it('the rule selects the topic, the payload as base64, the MQTT 5 content type and each named user property, from the one topic', () => {
    expect(IOT_SQL_VERSION).toBe('2016-03-23');
    expect(iotRuleSql('game/moves', ['gameId', 'x-player', 'gameId'])).toBe(
      "SELECT 'aws:iot' AS eventSource, topic() AS topic, encode(*, 'base64') AS payload, get_mqtt_property('content_type') AS contentType, " +
        "{'gameId': get_user_properties('gameId'), 'x-player': get_user_properties('x-player')} AS userProperties, timestamp() AS timestamp FROM 'game/moves'",
    );
    // No headers to carry: no object literal at all.
    expect(iotRuleSql('a/b', [])).not.toContain('userProperties');
  });

  it('a name or topic that single quotes cannot hold is refused by name, never written into the SQL', () => {
    for (const bad of ["it's", 'say"hi', 'back`tick', 'back\\slash', 'new\nline', '']) expect(unquotableInIotSql(bad)).toBeTruthy();
    expect(unquotableInIotSql('x-correlation-id')).toBeUndefined();
    expect(() => iotRuleSql('game/moves', ["x') AS a FROM '#"])).toThrow(/AWS IoT SQL cannot quote/);
    expect(() => iotRuleSql("moves' OR '1", [])).toThrow(/cannot write/);
  });

  it('an event is read as a message: the first value of a repeated user property, names lower-cased, a JSON payload parsed', () => {
    const event = {
      eventSource: 'aws:iot',
      topic: 'game/moves',
      payload: b64('{"cell":4}'),
      userProperties: { GameId: ['g-1', 'g-2'], empty: [] },
      timestamp: 1,
    } as const;
    expect(isMqttRuleEvent(event)).toBe(true);
    expect(isMqttRuleEvent({ Records: [] })).toBe(false);
    expect(isMqttRuleEvent({ source: 'x', 'detail-type': 'y' })).toBe(false);
    expect(messageOfMqttRuleEvent(event)).toEqual({ headers: { gameid: 'g-1' }, payload: { cell: 4 } });
  });

  it('a text/* payload reads as its text; a payload that is neither JSON nor text is undefined (the receiver drops it by name)', () => {
    expect(messageOfMqttRuleEvent({ eventSource: 'aws:iot', topic: 't', payload: b64('X wins'), contentType: 'text/plain; charset=utf-8' })).toEqual({ headers: {}, payload: 'X wins' });
    expect(messageOfMqttRuleEvent({ eventSource: 'aws:iot', topic: 't', payload: b64('X wins') })).toBeUndefined();
    expect(messageOfMqttRuleEvent({ eventSource: 'aws:iot', topic: 't', payload: Buffer.from([0xff, 0x00, 0x01]).toString('base64'), contentType: 'application/octet-stream' })).toBeUndefined();
  });

  it('the local broker builds the event the rule would: only the named headers travel', () => {
    const event = mqttRuleEventOf('game/moves', ['gameId'], { headers: { gameid: 'g-1', secret: 'no' }, payload: { cell: 4 } }, 'application/json', 7);
    expect(event).toEqual({ eventSource: 'aws:iot', topic: 'game/moves', payload: b64('{"cell":4}'), contentType: 'application/json', userProperties: { gameid: ['g-1'] }, timestamp: 7 });
    expect(messageOfMqttRuleEvent(event)).toEqual({ headers: { gameid: 'g-1' }, payload: { cell: 4 } });
  });
});
