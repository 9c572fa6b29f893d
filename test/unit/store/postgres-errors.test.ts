import { expect } from 'chai';
import { isConnectionLost, isRetryable } from '../../../src/store/postgres/errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('PostgreSQL errors: which failures a write or read may simply run again after', () => {
  const cases: [what: string, err: unknown, lost: boolean, raced: boolean][] = [
    ['backend terminated (pg_terminate_backend)', withCode('57P01', 'terminating connection due to administrator command'), true, false],
    ['server crashed', withCode('57P02'), true, false],
    ['server starting up', withCode('57P03'), true, false],
    ['connection failure', withCode('08006'), true, false],
    ['socket reset', withCode('ECONNRESET'), true, false],
    ['socket closed under a query (no code)', new Error('Connection terminated unexpectedly'), true, false],
    ['deadlock', withCode('40P01'), false, true],
    ['serialization failure', withCode('40001'), false, true],
    ['a key stored meanwhile', withCode('23505'), false, true],
    ['statement timeout', withCode('57014'), false, false],
    ['syntax error', withCode('42601'), false, false],
    ['not an error', 'Connection terminated', false, false],
  ];
  for (const [what, err, lost, raced] of cases) {
    it(`${what}: connection lost ${lost}, lost a race ${raced}`, () => {
      expect({ lost: isConnectionLost(err), raced: isRetryable(err) }).to.deep.equal({ lost, raced });
    });
  }
});
