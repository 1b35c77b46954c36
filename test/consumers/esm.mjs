// An ES module consumer of the installed tarballs.
import https from 'node:https';
import * as undici from 'undici';
import * as core from '@ntlmkit/core';
import * as ntlmUndici from '@ntlmkit/undici';
import * as ntlmAxios from '@ntlmkit/axios';
import * as airlock from '@ntlmkit/airlock';
import * as server from '@ntlmkit/server';
import { NtlmHttpEngine } from '@ntlmkit/core/http';
import scenario from './scenario.cjs';

const out = await scenario({ core, ntlmUndici, ntlmAxios, airlock, server, undici, https });
const resolved = ['@ntlmkit/core', '@ntlmkit/undici', '@ntlmkit/axios', '@ntlmkit/airlock', '@ntlmkit/server'].map(
  (m) => import.meta.resolve(m),
);
console.log(JSON.stringify({ ...out, resolved, subpath: typeof NtlmHttpEngine }));
