// A certified OpenID provider (panva's oidc-provider) for the template's tests,
// listening on 127.0.0.1 only. It issues access tokens as RS256 JWTs (RFC 9068,
// `typ: at+jwt`) for the resource named in `resource` (RFC 8707), with the
// client's roles in a `roles` claim: client_credentials to clients with a secret,
// and the authorization code with PKCE to browser clients (those with
// `redirect_uris`), after its development sign-in form (any name and password).
//
//   node provider.mjs                    serve, configured by the environment below
//   node provider.mjs generate-key KID   print a new private RSA JWK with id KID
//
// OIDC_ISSUER        the issuer URL, with the port it listens on (http://127.0.0.1:PORT)
// OIDC_PORT          that port
// OIDC_JWKS_FILE     JSON {"keys": [private JWKs]}; the first RSA key signs, all are published
// OIDC_CLIENTS_FILE  JSON [{"client_id", "client_secret", "scope", "roles"}], or
//                    [{"client_id", "redirect_uris", "scope", "roles"}] for a public browser client
// OIDC_RESOURCES     comma-separated resource indicators (audiences) it issues tokens for;
//                    the first is the default
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider, { errors } from 'oidc-provider';

// Every scope a resource server here knows; a client gets those its `scope` allows.
const RESOURCE_SCOPES = 'items:read items:write';
const ACCESS_TOKEN_TTL_SECONDS = 300;

if (process.argv[2] === 'generate-key') {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: process.argv[3], alg: 'RS256', use: 'sig' };
  process.stdout.write(`${JSON.stringify(jwk)}\n`);
  process.exit(0);
}

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
};
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

const issuer = env('OIDC_ISSUER');
const port = Number(env('OIDC_PORT'));
const jwks = readJson(env('OIDC_JWKS_FILE'));
const clients = readJson(env('OIDC_CLIENTS_FILE'));
const resources = env('OIDC_RESOURCES').split(',');
const rolesOf = new Map(clients.map((client) => [client.client_id, client.roles ?? []]));

// A browser client cannot keep a secret: it signs users in with the code and PKCE,
// and its pages' scripts (on its redirect URIs' origins) call the token endpoint.
const registration = ({ client_id, client_secret, scope, redirect_uris }) =>
  redirect_uris
    ? {
        client_id,
        scope: `openid ${scope}`,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris,
        token_endpoint_auth_method: 'none',
      }
    : {
        client_id,
        client_secret,
        scope,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      };
const browserOrigins = new Map(
  clients.map(({ client_id, redirect_uris }) => [
    client_id,
    (redirect_uris ?? []).map((uri) => new URL(uri).origin),
  ]),
);

const provider = new Provider(issuer, {
  clients: clients.map(registration),
  clientBasedCORS: (_ctx, origin, client) =>
    (browserOrigins.get(client.clientId) ?? []).includes(origin),
  jwks,
  // The client's `scope` metadata may only name scopes the provider knows.
  scopes: ['openid', ...RESOURCE_SCOPES.split(' ')],
  // Test-only: the cookies of the sign-in interaction.
  cookies: { keys: ['test-only-cookie-key'] },
  features: {
    // The library's own sign-in and consent forms: any name and password pass.
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resources[0],
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (!resources.includes(resource)) throw new errors.InvalidTarget();
        return {
          audience: resource,
          scope: RESOURCE_SCOPES,
          accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  extraTokenClaims: (_ctx, token) => ({ roles: rolesOf.get(token.clientId) ?? [] }),
});

const server = provider.listen(port, '127.0.0.1', () => {
  // The Python helper waits for this line, then for discovery.
  process.stdout.write(`listening ${issuer}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
