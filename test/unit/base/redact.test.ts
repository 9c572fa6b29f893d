import { expect } from 'chai';
import { isSecretParam, makeRedactor, redactSourceStatus, redactUrl, redactUrlsIn, secretsOfUrl } from '../../../src/base/redact.js';

describe('redact: secrets in URLs shown as ***', () => {
  const cases: [string, string, string[]?][] = [
    ['http://user:s3cretpass@host/feed.xml?apikey=TOPSECRETKEY', 'http://***@host/feed.xml?apikey=***'],
    ['https://host/feed.xml', 'https://host/feed.xml'],
    ['https://host/f?page=2&lang=id', 'https://host/f?page=2&lang=id'],
    ['https://token@host/f', 'https://***@host/f'],
    ['https://u:p@ss@host:8443/f', 'https://***@host:8443/f'],
    ['https://host/path@x/f?a=1', 'https://host/path@x/f?a=1'], // an @ in the path is not userinfo
    ['https://host/f?key=a&token=b&access_token=c&secret=d&password=e&pass=f&auth=g&sig=h&signature=i&api_key=j', 'https://host/f?key=***&token=***&access_token=***&secret=***&password=***&pass=***&auth=***&sig=***&signature=***&api_key=***'],
    ['https://host/f?API-Key=x&accessToken=y&X=1', 'https://host/f?API-Key=***&accessToken=***&X=1'],
    ['https://host/f?keyword=putin&monkey=1', 'https://host/f?keyword=putin&monkey=1'], // names that only contain a secret word
    ['https://host/f?token=', 'https://host/f?token='], // nothing to hide
    ['https://host/f?a=1;sig=zz#token=t', 'https://host/f?a=1;sig=***#token=***'],
    ['https://host/f?api%5Fkey=zz', 'https://host/f?api%5Fkey=***'],
    ['https://host/f?client_id=abc&hash=x', 'https://host/f?client_id=***&hash=***', ['client_id', 'HASH']],
    ['not a url ?token=1', 'not a url ?token=1'],
  ];
  for (const [input, expected, extra] of cases) {
    it(`${input} → ${expected}`, () => expect(redactUrl(input, extra)).to.equal(expected));
  }

  it('finds URLs inside free text (error messages, log lines), stopping at quotes', () => {
    const text = '{"msg":"redirect loop: http://u:pw@a.example/x?token=abc was already visited","url":"https://b.example/?sig=1"}';
    expect(redactUrlsIn(text)).to.equal('{"msg":"redirect loop: http://***@a.example/x?token=*** was already visited","url":"https://b.example/?sig=***"}');
  });

  it('knows secret-looking names without case, "-" or "_", and extra names', () => {
    expect(['KEY', 'Api_Key', 'api-key', 'access-token', 'Signature'].every((n) => isSecretParam(n))).to.equal(true);
    expect(['q', 'keys', 'page', 'tokenizer'].some((n) => isSecretParam(n))).to.equal(false);
    expect(isSecretParam('client-secret-x', ['client_secret_x'])).to.equal(true);
  });

  it('lists the secrets of a URL as written and decoded', () => {
    expect(secretsOfUrl('http://user:s3cret%40pass@host/f?apikey=K%2BEY&page=2')).to.include.members(['s3cret%40pass', 's3cret@pass', 'K+EY', 'K%2BEY']);
    expect(secretsOfUrl('http://host/f?page=2')).to.deep.equal([]);
  });

  it('masks known secrets wherever they appear, also JSON-escaped and URL-encoded, but not short ones', () => {
    const r = makeRedactor();
    r.learn({ urls: ['http://user:s3cretpass@host/feed.xml?apikey=TOPSECRETKEY&key=1'], values: ['admin-token-"quoted"-0123456789'] });
    expect(r.text('getaddrinfo ENOTFOUND host (TOPSECRETKEY) s3cretpass')).to.equal('getaddrinfo ENOTFOUND host (***) ***');
    expect(r.text(JSON.stringify({ t: 'admin-token-"quoted"-0123456789' }))).to.equal('{"t":"***"}');
    expect(r.text('item 1 of 11')).to.equal('item 1 of 11');
  });

  it('learns more parameter names from a later config and keeps what it knew', () => {
    const r = makeRedactor();
    r.learn({ urls: ['https://h/f?apikey=first-secret-1'] });
    r.learn({ params: ['client_id'], urls: ['https://h/f?client_id=second-secret-2'] });
    expect(r.text('first-secret-1 second-secret-2 https://x/?client_id=z')).to.equal('*** *** https://x/?client_id=***');
  });

  it('redacts a source status: url, effective url and error message', () => {
    const r = makeRedactor();
    const s = redactSourceStatus({ id: 'a', url: 'http://u:p@h/f', effective_url: 'http://h/g?token=t', last_error: { code: 'network', message: 'ECONNREFUSED http://u:p@h/f' } }, r);
    expect(s).to.deep.equal({ id: 'a', url: 'http://***@h/f', effective_url: 'http://h/g?token=***', last_error: { code: 'network', message: 'ECONNREFUSED http://***@h/f' } });
  });
});
