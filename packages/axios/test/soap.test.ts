// Issue 15 §7: node-soap as a real client, given an NTLM axios instance as its `request`, against the
// embedded server: the WSDL and the calls authenticated, each body sent once, channel binding over HTTPS.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as soap from 'soap';
import type { RequestContext } from '@ntlmkit/server';
import { READINGS, alice, client, server } from './helpers';

const NS = 'urn:ntlmkit:calculator';

/** The WSDL (fixtures/calculator.wsdl) with the service's address. */
function wsdl(origin: string): string {
  const text = readFileSync(join(__dirname, 'fixtures', 'calculator.wsdl'), 'utf8');
  return text.replaceAll('{{NS}}', NS).replaceAll('{{ORIGIN}}', origin);
}

/** The SOAP service: its WSDL on GET ?wsdl, Add on POST; counts the request bodies it gets. */
function calculator(origin: () => string, bodies: number[]) {
  return (req: IncomingMessage, res: ServerResponse, context: RequestContext) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(wsdl(origin()));
      return;
    }
    bodies.push(context.body.length);
    const text = context.body.toString();
    const number = (name: string) => Number(new RegExp(`<(?:\\w+:)?${name}>(-?\\d+)<`).exec(text)?.[1]);
    const sum = number('a') + number('b');
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
  <AddResponse xmlns="${NS}"><sum>${sum}</sum><caller>${context.user}</caller></AddResponse>
</soap:Body></soap:Envelope>`;
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(xml);
  };
}

type Calculator = soap.Client & {
  AddAsync(args: { a: number; b: number }): Promise<[{ sum: number; caller: string }, string, unknown, string]>;
};

describe.each(READINGS)('server reading: $name', ({ options: reading }) => {
  test.each([false, true])(
    'https %s: the WSDL, 10 sequential and 20 concurrent calls, each body once',
    async (secure) => {
      const bodies: number[] = [];
      let origin = '';
      const s = await server({
        ...reading,
        handler: calculator(() => origin, bodies),
        ...(secure ? { https: true, tokenChecking: 'require' } : {}),
      });
      origin = s.url;
      const api = client({
        credentials: alice,
        connections: 8,
        ...(secure ? { httpsAgent: new https.Agent({ ca: s.certificate }) } : {}),
      });
      const outcomes: { channelBinding: string; user: string }[] = [];
      s.on('ntlm', (e) => outcomes.push(e as never));
      const calc = (await soap.createClientAsync(`${s.url}/calculator?wsdl`, { request: api })) as Calculator;
      for (let i = 0; i < 10; i++) {
        const [result] = await calc.AddAsync({ a: i, b: 100 });
        expect(result).toEqual({ sum: i + 100, caller: 'EXAMPLE\\alice' });
      }
      const concurrent = await Promise.all(Array.from({ length: 20 }, (_, i) => calc.AddAsync({ a: i, b: -1 })));
      expect(concurrent.map(([r]) => r.sum)).toEqual(Array.from({ length: 20 }, (_, i) => i - 1));
      // Every call ran once, and every byte of every SOAP body reached the server once (401 legs carry none).
      expect(bodies).toHaveLength(30);
      expect(s.stats.executed).toBe(31);
      expect(s.stats.bodyBytes).toBe(bodies.reduce((a, b) => a + b, 0));
      expect(s.stats.handshakes).toBeLessThanOrEqual(8);
      expect(outcomes.every((o) => o.user === 'EXAMPLE\\alice')).toBe(true);
      if (secure) expect(outcomes.every((o) => o.channelBinding === 'present')).toBe(true);
    },
  );
});

test('without the NTLM instance node-soap gets the 401 (nothing else in the process was changed)', async () => {
  let origin = '';
  const s = await server({ handler: calculator(() => origin, []) });
  origin = s.url;
  client({ credentials: alice });
  await expect(soap.createClientAsync(`${s.url}/calculator?wsdl`)).rejects.toThrow();
  expect(s.stats.handshakes).toBe(0);
});
