// node-soap with NTLM: hand node-soap an NTLM axios instance as its `request`. The WSDL and every call
// then go through pinned, authenticated connections (NTLMv2, MIC, channel binding over HTTPS), each body
// once. Do not also set node-soap's NTLMSecurity: it makes node-soap bypass `request` (axios-ntlm inside,
// a handshake per call, every body three times). Runs as is against an embedded SOAP service; set
// NTLM_WSDL (and NTLM_USER / NTLM_PASSWORD) to call a real one, e.g. https://sharepoint/_vti_bin/Lists.asmx?wsdl.
import https from 'node:https';
import * as soap from 'soap';
import { createNtlmAxios } from '@ntlmkit/axios';
import { createNtlmServer } from '@ntlmkit/server';

const SERVICE = 'urn:example:stock';

/** A one-operation SOAP service (GetStock) behind NTLM over HTTPS, channel binding required. */
async function embeddedService() {
  const server = createNtlmServer({
    users: { 'EXAMPLE\\alice': 'Passw0rd!' },
    https: true,
    tokenChecking: 'require',
    handler: (req, res, { body, user }) => {
      const xml =
        req.method === 'GET'
          ? describeService(url)
          : answer(/<(?:\w+:)?item>([^<]*)</.exec(body.toString())?.[1] ?? '', user);
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(xml);
    },
  });
  const url = await server.start();
  return {
    wsdl: `${url}/stock?wsdl`,
    credentials: { username: 'EXAMPLE\\alice', password: 'Passw0rd!' },
    tls: { ca: server.certificate },
    stop: () => server.stop(),
  };
}

/** The service's WSDL: one document/literal operation, GetStock(item) → { quantity, checkedBy }. */
function describeService(url) {
  const element = (name, fields) => `
    <s:element name="${name}"><s:complexType><s:sequence>
      ${fields.map(([field, type]) => `<s:element name="${field}" type="s:${type}"/>`).join('')}
    </s:sequence></s:complexType></s:element>`;
  const literal = '<soap:body use="literal"/>';
  return `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="${SERVICE}" targetNamespace="${SERVICE}">
  <types><s:schema targetNamespace="${SERVICE}" elementFormDefault="qualified">
    ${element('GetStock', [['item', 'string']])}
    ${element('GetStockResponse', [
      ['quantity', 'int'],
      ['checkedBy', 'string'],
    ])}
  </s:schema></types>
  <message name="In"><part name="parameters" element="tns:GetStock"/></message>
  <message name="Out"><part name="parameters" element="tns:GetStockResponse"/></message>
  <portType name="Stock">
    <operation name="GetStock"><input message="tns:In"/><output message="tns:Out"/></operation>
  </portType>
  <binding name="StockSoap" type="tns:Stock">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="GetStock">
      <soap:operation soapAction="${SERVICE}#GetStock"/><input>${literal}</input><output>${literal}</output>
    </operation>
  </binding>
  <service name="StockService">
    <port name="StockSoap" binding="tns:StockSoap"><soap:address location="${url}/stock"/></port>
  </service>
</definitions>`;
}

/** The SOAP answer to GetStock. */
function answer(item, user) {
  return `<?xml version="1.0"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>
  <GetStockResponse xmlns="${SERVICE}">
    <quantity>${item.length * 7}</quantity><checkedBy>${user}</checkedBy>
  </GetStockResponse>
</soap:Body></soap:Envelope>`;
}

const service = process.env.NTLM_WSDL
  ? {
      wsdl: process.env.NTLM_WSDL,
      credentials: { username: process.env.NTLM_USER ?? '', password: process.env.NTLM_PASSWORD ?? '' },
      tls: {},
      stop: async () => {},
    }
  : await embeddedService();
const api = createNtlmAxios({
  credentials: service.credentials,
  httpsAgent: new https.Agent(service.tls),
  connections: 4,
});
try {
  const client = await soap.createClientAsync(service.wsdl, { request: api });
  const [one, raw] = await client.GetStockAsync({ item: 'widgets' });
  console.log('GetStock(widgets):', one, raw.length > 0 ? '(HTTP 200)' : '');
  const many = await Promise.all(['bolts', 'nuts', 'gears', 'springs'].map((item) => client.GetStockAsync({ item })));
  console.log(
    '4 concurrent calls:',
    many.map(([r]) => r.quantity).join(', '),
    `on ${api.ntlm.connectionCount()} connection(s)`,
  );
} finally {
  api.ntlm.destroy();
  await service.stop();
}
