// The fetch wrapper finds a call's origin from a cache by scheme and authority; it must give what the URL
// parser gives for every string, including the ones the cache must not take (they are parsed in full).
import { originOf } from '../src/fetch';

function parsed(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

const URLS = [
  'http://example.com/',
  'http://example.com',
  'https://example.com/a/b?c=d#e',
  'HTTPS://EXAMPLE.COM:443/x',
  'http://example.com:80/x',
  'http://example.com:8080?q',
  'http://example.com#frag',
  'https://example.com:8443/',
  'http://127.0.0.1:3000/path',
  'http://[::1]:8080/',
  'http://[0:0::1]/',
  'http://0x7f.1/',
  'http://example.com./',
  'http://bücher.example/',
  'http://xn--bcher-kva.example/',
  'http://ex%61mple.com/',
  'http://user:pass@example.com/',
  'http://@example.com/',
  'http://example.com\\path',
  'http:\\\\example.com/',
  'http:example.com/',
  'http:/example.com/',
  ' http://example.com/',
  'http://exa\tmple.com/',
  'http://exa\nmple.com/',
  'http://example.com:99999/',
  'http://example.com:/',
  'http://exa mple.com/',
  'http://[::1/',
  'http:///path',
  'https://',
  'ftp://example.com/',
  'data:text/plain,hi',
  'blob:http://example.com/uuid',
  'not a url',
  '',
];

test.each(URLS)('%j: as the URL parser says', (url) => {
  // Twice: the second answer comes from the cache when the first went into it.
  expect(originOf(url)).toBe(parsed(url));
  expect(originOf(url)).toBe(parsed(url));
});

test('many origins: the cache starts over instead of growing, and stays right', () => {
  for (let i = 0; i < 1000; i++) {
    const url = `http://host${i}.example:${1000 + i}/p?${i}`;
    expect(originOf(url)).toBe(parsed(url));
  }
  expect(originOf('http://host5.example:1005/again')).toBe('http://host5.example:1005');
});
