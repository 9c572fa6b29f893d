import { expect } from 'chai';
import { isNotModified } from '../../../src/http/conditional.js';

describe('http: isNotModified', () => {
  const etag = '"abc"';
  const lm = new Date('2026-11-26T10:00:00Z');
  const cases: { name: string; headers: Record<string, string>; expected: boolean }[] = [
    { name: 'no validators', headers: {}, expected: false },
    { name: 'matching ETag', headers: { 'if-none-match': '"abc"' }, expected: true },
    { name: 'weak form of the same ETag', headers: { 'if-none-match': 'W/"abc"' }, expected: true },
    { name: 'ETag in a list', headers: { 'if-none-match': '"x", "abc"' }, expected: true },
    { name: 'star', headers: { 'if-none-match': '*' }, expected: true },
    { name: 'other ETag', headers: { 'if-none-match': '"abd"' }, expected: false },
    { name: 'other ETag wins over a matching date', headers: { 'if-none-match': '"zzz"', 'if-modified-since': lm.toUTCString() }, expected: false },
    { name: 'same date', headers: { 'if-modified-since': lm.toUTCString() }, expected: true },
    { name: 'later date', headers: { 'if-modified-since': 'Thu, 26 Nov 2026 11:00:00 GMT' }, expected: true },
    { name: 'earlier date', headers: { 'if-modified-since': 'Thu, 26 Nov 2026 09:59:59 GMT' }, expected: false },
    { name: 'garbage date', headers: { 'if-modified-since': 'yesterday' }, expected: false },
  ];
  for (const c of cases) it(c.name, () => expect(isNotModified(c.headers, etag, lm)).to.equal(c.expected));
});
