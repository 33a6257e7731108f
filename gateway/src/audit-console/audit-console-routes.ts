import express, { type Router } from 'express';
import { join } from 'node:path';
import { projectRoot } from '../../../platform/src';

/** The console's files, all served from this origin. A Map: a name like `__proto__` finds nothing. */
const ASSETS = new Map<string, { file: string; type: string }>([
  ['console.js', { file: 'console.js', type: 'text/javascript' }],
  ['console.css', { file: 'console.css', type: 'text/css' }],
]);

/**
 * The page may talk to this origin only: auditors work on closed agency networks, and a token
 * able to read the whole audit log must have nowhere else to go. Unlike the explorer's, no inline
 * style either: every style is in console.css and the charts are SVG drawn by console.js.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The auditor's console at `/audit/` (docs/design.md §2), in the sandbox and in production. The page is
 * static; every record it shows comes through the audited `auditEvents` and `misuseSignals`
 * GraphQL API under the auditor's own token (audit:read), so looking is itself audited. In the
 * sandbox the page signs in as the `auditor` persona through the explorer's token endpoint; in
 * production the auditor pastes a token from the agency's identity provider.
 */
export function auditConsoleRoutes(options: { sandbox: boolean }): Router {
  const router = express.Router();
  const folder = join(projectRoot(), 'gateway/src/audit-console/public');
  const secure: express.RequestHandler = (_req, res, next) => {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    // A deep link names a subject: no cache keeps the page's address or answers.
    res.setHeader('cache-control', 'no-store');
    next();
  };

  router.get('/audit/', secure, (_req, res) => {
    res.type('html').sendFile(join(folder, 'index.html'));
  });
  router.get('/audit/assets/:name', secure, (req, res) => {
    const asset = ASSETS.get(String(req.params.name));
    if (!asset) return void res.status(404).end();
    res.type(asset.type).sendFile(join(folder, asset.file));
  });
  router.get('/audit/config', secure, (_req, res) => {
    res.json({ signIn: options.sandbox ? 'sandbox' : 'token' });
  });
  return router;
}
