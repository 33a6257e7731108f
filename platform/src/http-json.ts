import bodyParser from 'body-parser';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A GraphQL-shaped error answer: one error, its code, no data. Every refusal is worded so. */
export function errorBody(message: string, code: string): { errors: [{ message: string; extensions: { code: string } }] } {
  return { errors: [{ message, extensions: { code } }] };
}

/** Sends a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** One header as a string (node gives repeated headers as arrays). */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A request body as read: its parsed JSON, or the HTTP status of why it could not be. */
export type BodyRead = { ok: true; body: unknown } | { ok: false; status: number };

/**
 * A JSON body reader with a size cap (body-parser: the limit, charset and JSON handling express
 * used). It never answers the request itself: each front words its own refusal.
 */
export function jsonBodyReader(limitBytes: number): (req: IncomingMessage, res: ServerResponse) => Promise<BodyRead> {
  const parse = bodyParser.json({ limit: limitBytes });
  return (req, res) =>
    new Promise((resolve) => {
      parse(req, res, (error?: { status?: number }) => {
        const body = (req as IncomingMessage & { body?: unknown }).body;
        if (!error) return resolve({ ok: true, body });
        resolve({ ok: false, status: typeof error.status === 'number' && error.status < 500 ? error.status : 500 });
      });
    });
}
