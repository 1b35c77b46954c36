// Issue 15 §7: node-soap as a real client, given an NTLM axios instance as its `request`, against the
// embedded server: the WSDL and the calls authenticated, each body sent once, channel binding over HTTPS.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as soap from 'soap';
import type { RequestContext } from '@ntlmkit/server';
import { READINGS, alice, client, server } from './helpers';

const NS = 'urn:ntlmkit:calculator';

function wsdl(origin: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions name="Calculator" targetNamespace="${NS}" xmlns="http://schemas.xmlsoap.org/wsdl/"
  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${NS}" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <types>
    <xsd:schema targetNamespace="${NS}" elementFormDefault="qualified">
      <xsd:element name="Add"><xsd:complexType><xsd:sequence>
        <xsd:element name="a" type="xsd:int"/><xsd:element name="b" type="xsd:int"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="AddResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="sum" type="xsd:int"/><xsd:element name="caller" type="xsd:string"/>
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
  </types>
  <message name="AddIn"><part name="parameters" element="tns:Add"/></message>
  <message name="AddOut"><part name="parameters" element="tns:AddResponse"/></message>
  <portType name="CalculatorPort"><operation name="Add"><input message="tns:AddIn"/><output message="tns:AddOut"/></operation></portType>
  <binding name="CalculatorBinding" type="tns:CalculatorPort">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Add"><soap:operation soapAction="${NS}#Add"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>
    </operation>
  </binding>
  <service name="Calculator"><port name="CalculatorSoap" binding="tns:CalculatorBinding"><soap:address location="${origin}/calculator"/></port></service>
</definitions>`;
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
    const xml = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
      `<AddResponse xmlns="${NS}"><sum>${number('a') + number('b')}</sum><caller>${context.user}</caller></AddResponse></soap:Body></soap:Envelope>`;
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(xml);
  };
}

type Calculator = soap.Client & {
  AddAsync(args: { a: number; b: number }): Promise<[{ sum: number; caller: string }, string, unknown, string]>;
};

describe.each(READINGS)('lenientSessionKey %s', (lenientSessionKey) => {
  test.each([false, true])('https %s: the WSDL, 10 sequential and 20 concurrent calls, each body once', async (secure) => {
    const bodies: number[] = [];
    let origin = '';
    const s = await server({ lenientSessionKey, handler: calculator(() => origin, bodies), ...(secure ? { https: true, tokenChecking: 'require' } : {}) });
    origin = s.url;
    const api = client({ credentials: alice, connections: 8, ...(secure ? { httpsAgent: new https.Agent({ ca: s.certificate }) } : {}) });
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
  });
});

test('without the NTLM instance node-soap gets the 401 (nothing else in the process was changed)', async () => {
  let origin = '';
  const s = await server({ handler: calculator(() => origin, []) });
  origin = s.url;
  client({ credentials: alice });
  await expect(soap.createClientAsync(`${s.url}/calculator?wsdl`)).rejects.toThrow();
  expect(s.stats.handshakes).toBe(0);
});
