import { describe, expect, it } from 'vitest';
import { readMessageLocation } from '../../../../functions/runtime/messages/read-message-location.js';

describe('readMessageLocation: a Correlation ID location in a message header', () => {
  const message = { headers: { 'order~id': 'o-17', 'x-turn': 'O' }, payload: { data: { id: 'p-1' } } };

  it('reads the header its JSON pointer token names, ~0 and ~1 decoded as RFC 6901 says (the compiler decodes it so for the IoT rule)', () => {
    expect(readMessageLocation('$message.header#/order~0id', message)).toBe('o-17');
    expect(readMessageLocation('$message.header#/X-Turn', message)).toBe('O');
  });

  it('reads nothing where the pointer goes below a header (a header is one string)', () => {
    expect(readMessageLocation('$message.header#/x-turn/0', message)).toBeUndefined();
  });

  it("reads nothing for a header the message lacks, whatever its name (not an Object prototype member's text)", () => {
    expect(readMessageLocation('$message.header#/constructor', message)).toBeUndefined();
    expect(readMessageLocation('$message.header#/toString', message)).toBeUndefined();
  });

  it('reads the payload at its pointer', () => {
    expect(readMessageLocation('$message.payload#/data/id', message)).toBe('p-1');
  });
});
