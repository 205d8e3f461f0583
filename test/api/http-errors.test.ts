import { errorForNetworkFailure } from '../../src/api/http-errors';

describe('network failure messages', () => {
  const context = { method: 'POST', path: '/oauth/token/', kind: 'OAuth2 token' };

  it('names the setting to change for a host-name mismatch, and no CA file', () => {
    const error = errorForNetworkFailure('ERR_TLS_CERT_ALTNAME_INVALID', 30_000, context, { host: 'login.internal', setting: 'PEXIP_OAUTH2_TOKEN_URL', certificateNames: 'DNS:login.example.org' });
    expect(error.message).toBe(
      "OAuth2 token — POST /oauth/token/: the server's TLS certificate does not name the host login.internal (ERR_TLS_CERT_ALTNAME_INVALID); it names DNS:login.example.org. Use the name on the certificate in PEXIP_OAUTH2_TOKEN_URL.",
    );
    expect(error.message).not.toContain('PEXIP_CA_FILE');
  });

  it('shortens a certificate listing hundreds of names', () => {
    const names = Array.from({ length: 100 }, (_, i) => `DNS:host-${i}.example.org`).join(', ');
    const error = errorForNetworkFailure('ERR_TLS_CERT_ALTNAME_INVALID', 30_000, {}, { host: '10.0.0.5', setting: 'PEXIP_ADDRESS', certificateNames: names });
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toMatch(/…\. Use the name on the certificate in PEXIP_ADDRESS\.$/);
  });

  it('suspects plain HTTP behind an https:// address on EPROTO', () => {
    expect(errorForNetworkFailure('EPROTO', 30_000, {}).message).toBe(
      'the TLS handshake failed (EPROTO): the server may not speak TLS on that port. Check http:// against https:// and the port in PEXIP_ADDRESS.',
    );
  });

  it('keeps the private-CA advice for an untrusted certificate', () => {
    expect(errorForNetworkFailure('SELF_SIGNED_CERT_IN_CHAIN', 30_000, {}).message).toMatch(/set PEXIP_CA_FILE to that CA's PEM bundle\.$/);
  });
});
