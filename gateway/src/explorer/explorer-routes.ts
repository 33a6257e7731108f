import express, { type Router } from 'express';
import { join } from 'node:path';
import { accessAllows, describeAccess, findPersona, PERSONAS, type Persona, type PurposeCode } from '../../../access-policy/src';
import { projectRoot } from '../../../platform/src';
import type { DevIssuer } from '../dev-issuer/dev-issuer';
import type { FieldPolicy } from '../policy/field-policy';
import { EXAMPLE_OPERATIONS, FIXTURE_PERSONS } from './example-operations';

/**
 * Files the explorer page loads, all from this server: GraphiQL's own build and React's. A Map,
 * not an object literal: a name such as `__proto__` or `toString` must find nothing (it found
 * Object.prototype's members, and answered 500).
 */
const ASSETS = new Map<string, { file: string; type: string }>([
  ['graphiql.min.js', { file: 'node_modules/graphiql/graphiql.min.js', type: 'text/javascript' }],
  ['graphiql.min.css', { file: 'node_modules/graphiql/graphiql.min.css', type: 'text/css' }],
  ['react.production.min.js', { file: 'node_modules/react/umd/react.production.min.js', type: 'text/javascript' }],
  ['react-dom.production.min.js', { file: 'node_modules/react-dom/umd/react-dom.production.min.js', type: 'text/javascript' }],
  // graphql-ws's browser build: the explorer's subscriptions (the package the gateway serves them with).
  ['graphql-ws.min.js', { file: 'node_modules/graphql-ws/umd/graphql-ws.min.js', type: 'text/javascript' }],
  ['explorer.js', { file: 'gateway/src/explorer/public/explorer.js', type: 'text/javascript' }],
  ['explorer.css', { file: 'gateway/src/explorer/public/explorer.css', type: 'text/css' }],
]);

/**
 * Agency networks are often closed: the page may talk to this origin and nothing else. The
 * policy also keeps a compromised script from sending tokens anywhere.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The developer sandbox's explorer: GraphiQL served from npm packages on this server, with a
 * persona picker that fetches sandbox tokens from the dev issuer, and documentation that names, on
 * each field, the scopes it needs and whether the chosen persona can ever read it (docs/design.md §4 rule
 * 13: the same declarations the gateway and the subgraphs enforce). Mounted in sandbox mode only:
 * in production neither the page nor the token endpoint exists.
 */
export function explorerRoutes(issuer: DevIssuer, policy: FieldPolicy): Router {
  // What each field needs, in words, for the documentation; computed once, the supergraph is static.
  const access: Record<string, string> = {};
  for (const coordinate of policy.coordinates()) access[coordinate] = describeAccess(policy.declared(coordinate)!);
  const router = express.Router();
  const root = projectRoot();
  const secure: express.RequestHandler = (_req, res, next) => {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  };

  router.get('/', secure, (_req, res) => {
    res.type('html').sendFile(join(root, 'gateway/src/explorer/public/index.html'));
  });

  router.get('/explorer/assets/:name', secure, (req, res) => {
    const asset = ASSETS.get(String(req.params.name));
    if (!asset) return void res.status(404).end();
    res.type(asset.type).sendFile(join(root, asset.file), { maxAge: '1h' });
  });

  router.get('/explorer/config', secure, (_req, res) => {
    res.json({
      personas: PERSONAS.map((p) => ({
        persona: p.persona,
        description: p.description,
        scopes: p.scopes,
        purposes: p.purposes,
        defaultPurpose: p.defaultPurpose,
        defaultReason: p.defaultReason,
        neverReadable: neverReadable(p, policy),
      })),
      access,
      examples: EXAMPLE_OPERATIONS,
      fixtures: FIXTURE_PERSONS,
    });
  });

  router.post('/explorer/token', secure, express.json({ limit: 1024 }), async (req, res) => {
    const asked = (req.body as { persona?: unknown } | undefined)?.persona;
    const persona = findPersona(typeof asked === 'string' ? asked : '');
    if (!persona) return void res.status(400).json({ error: 'unknown persona' });
    res.json({ token: await issuer.sign(persona) });
  });

  return router;
}

/**
 * The fields a persona can never read, whatever purpose its token allows: what the gateway would
 * remove from any operation it sends. (Row rules may hide more records; those depend on the data.)
 */
function neverReadable(persona: Persona, policy: FieldPolicy): string[] {
  const purposes: Array<PurposeCode | null> = persona.purposes.length > 0 ? [...persona.purposes] : [null];
  const scopes = new Set(persona.scopes);
  return [...policy.coordinates()].filter((c) => !purposes.some((purpose) => accessAllows(policy.declared(c), { scopes, purpose }))).sort();
}
