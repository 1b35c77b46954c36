#!/usr/bin/python3
"""A reference NTLM client built on Debian's python3-ntlm-auth (code we did not write).

usage: python-ntlm-client.py URL DOMAIN USER PASSWORD
Prints the final status code and body. Over HTTPS it binds the channel (RFC 5929
tls-server-end-point with SHA-256, right for the RSA/SHA-256 certificates our tests use).
"""
import base64
import hashlib
import http.client
import ssl
import sys
from urllib.parse import urlsplit

# ntlm-auth asks hashlib for MD4, which OpenSSL 3 disables: use pycryptodome's.
from Cryptodome.Hash import MD4

_new = hashlib.new


def _hashlib_new(name, data=b"", **kw):
    if name.lower() == "md4":
        h = MD4.new()
        h.update(data)
        return h
    return _new(name, data, **kw)


hashlib.new = _hashlib_new

from ntlm_auth.gss_channel_bindings import GssChannelBindingsStruct  # noqa: E402
from ntlm_auth.ntlm import NtlmContext  # noqa: E402


def main():
    url, domain, user, password = sys.argv[1:5]
    parts = urlsplit(url)
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, context=ssl._create_unverified_context())
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port)
    conn.connect()
    cbt = None
    if parts.scheme == "https":
        der = conn.sock.getpeercert(binary_form=True)
        cbt = GssChannelBindingsStruct()
        cbt[cbt.APPLICATION_DATA] = b"tls-server-end-point:" + hashlib.sha256(der).digest()
    ctx = NtlmContext(user, password, domain=domain, workstation="PYCLIENT", cbt_data=cbt, ntlm_compatibility=3)
    negotiate = ctx.step()
    conn.request("GET", parts.path or "/", headers={"Authorization": "NTLM " + base64.b64encode(negotiate).decode()})
    r1 = conn.getresponse()
    r1.read()
    challenge = None
    for name, value in r1.getheaders():
        if name.lower() == "www-authenticate" and value.startswith("NTLM "):
            challenge = base64.b64decode(value[5:])
    if challenge is None:
        print(r1.status)
        print("no challenge")
        return
    authenticate = ctx.step(challenge)
    conn.request("GET", parts.path or "/", headers={"Authorization": "NTLM " + base64.b64encode(authenticate).decode()})
    r2 = conn.getresponse()
    body = r2.read().decode("utf-8", "replace")
    print(r2.status)
    print(r2.getheader("x-ntlm-outcome") or "")
    print(body)


main()
