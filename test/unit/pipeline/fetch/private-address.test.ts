import { expect } from 'chai';
import { isLoopbackAddress, isPrivateAddress } from '../../../../src/pipeline/fetch/fetch.js';

describe('pipeline: isPrivateAddress', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', true], ['127.8.9.10', true], ['10.1.2.3', true], ['172.16.0.1', true], ['172.31.255.255', true],
    ['172.32.0.1', false], ['192.168.1.1', true], ['169.254.169.254', true], ['100.64.0.1', true], ['0.0.0.0', true],
    ['::1', true], ['::', true], ['fe80::1', true], ['fd00::1', true], ['::ffff:127.0.0.1', true], ['::ffff:8.8.8.8', false],
    ['8.8.8.8', false], ['203.0.113.9', false], ['2001:4860:4860::8888', false], ['not-an-ip', false],
  ];
  for (const [ip, expected] of cases) it(`${ip} → ${expected}`, () => expect(isPrivateAddress(ip)).to.equal(expected));
});

describe('pipeline: isLoopbackAddress (what the test-only loopback allowance lets through, and nothing more)', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', true], ['127.8.9.10', true], ['::1', true], ['0:0:0:0:0:0:0:1', true], ['::ffff:127.0.0.1', true],
    ['10.1.2.3', false], ['169.254.169.254', false], ['192.168.1.1', false], ['0.0.0.0', false], ['::', false],
    ['fe80::1', false], ['::ffff:10.0.0.1', false], ['8.8.8.8', false], ['128.0.0.1', false],
  ];
  for (const [ip, expected] of cases) it(`${ip} → ${expected}`, () => expect(isLoopbackAddress(ip)).to.equal(expected));
});
