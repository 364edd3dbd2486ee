import { describe, expect, it } from 'vitest';
import { detectCredentialInputs } from '../../../compiler/plan/detect-credentials.js';
import { getAtCredentialPath, joinCredentialPath, setAtCredentialPath, splitCredentialPath } from '../../../core/credential-names.js';

const detect = (properties: Record<string, unknown>, byName = true) =>
  detectCredentialInputs({ type: 'object', properties }, undefined, [], byName).map(({ name, reason }) => [name, reason]);

describe('detectCredentialInputs at any depth', () => {
  it('reports a credential mark it cannot follow (array items, combinators, additional properties) instead of leaving the value unsealed', () => {
    const unread: string[] = [];
    const found = detectCredentialInputs(
      {
        type: 'object',
        allOf: [{ properties: { pin: { type: 'string', writeOnly: true } } }],
        properties: {
          tokens: { type: 'array', items: { type: 'string', format: 'password' } },
          card: { type: 'object', properties: { number: { type: 'string' } }, additionalProperties: { 'x-arazzo-sfn-credential': true } },
          note: { type: 'string' },
        },
      },
      undefined,
      [],
      true,
      unread,
    );
    expect(found).toEqual([]);
    expect(unread.sort()).toEqual(['/allOf/0/properties/pin/writeOnly', '/properties/card/additionalProperties/x-arazzo-sfn-credential', '/properties/tokens/items/format']);
  });

  it('finds format: password, writeOnly and the extension inside object inputs', () => {
    expect(
      detect({
        auth: { type: 'object', properties: { accessToken: { type: 'string', format: 'password' }, realm: { type: 'string' } } },
        deep: { properties: { a: { type: 'object', properties: { b: { type: 'string', writeOnly: true } } } } },
        ext: { type: 'object', properties: { k: { type: 'string', 'x-arazzo-sfn-credential': true } } },
      }),
    ).toEqual([
      ['auth.accessToken', 'schema'],
      ['deep.a.b', 'schema'],
      ['ext.k', 'schema'],
    ]);
  });

  it('an object input with a credential-like name is not replaced whole: its members are examined', () => {
    expect(
      detect({
        clientCredentials: { type: 'object', properties: { clientId: { type: 'string' }, clientSecret: { type: 'string' }, scope: { type: 'string' } } },
        credentials: { type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' } } },
        apiToken: { type: 'string' },
      }),
    ).toEqual([
      ['clientCredentials.clientId', 'name'],
      ['clientCredentials.clientSecret', 'name'],
      ['credentials.password', 'name'],
      ['apiToken', 'name'],
    ]);
  });

  it('an object marked as a credential is one as a whole; x-arazzo-sfn-credential: false excludes a subtree', () => {
    expect(
      detect({
        keyPair: { type: 'object', format: 'password', properties: { privateKey: { type: 'string' } } },
        public: { type: 'object', 'x-arazzo-sfn-credential': false, properties: { token: { type: 'string' } } },
      }),
    ).toEqual([['keyPair', 'schema']]);
  });

  it('names with dots read back from their path', () => {
    const path = joinCredentialPath(['a.b', 'c~d']);
    expect(splitCredentialPath(path)).toEqual(['a.b', 'c~d']);
    expect(detect({ 'a.b': { type: 'object', properties: { password: {} } } })).toEqual([[joinCredentialPath(['a.b', 'password']), 'name']]);
    const inputs = { 'a.b': { password: 'p', other: 1 }, keep: true };
    const path2 = joinCredentialPath(['a.b', 'password']);
    expect(getAtCredentialPath(inputs, path2)).toBe('p');
    const replaced = setAtCredentialPath(inputs, path2, 'secret:x');
    expect(replaced).toEqual({ 'a.b': { password: 'secret:x', other: 1 }, keep: true });
    expect(inputs['a.b'].password).toBe('p');
  });
});
