import type { GraphQLResult } from './stack';

type Path = ReadonlyArray<string | number>;

function get(data: unknown, path: Path): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (v === null || v === undefined) return v;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => p === path[i]);
}

/**
 * What happened to the field at `path`: `allowed` (a value, and no error on it or above it),
 * `denied` (null, with a FORBIDDEN error whose path is the field or one of its parents), or
 * `refused` (the whole operation refused: no data at all).
 */
export function outcomeAt(result: GraphQLResult, path: string): 'allowed' | 'denied' | 'refused' | 'other' {
  const segments = path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const { body } = result;
  if (body.data === undefined || body.data === null) {
    return body.errors?.some((e) => e.extensions?.code === 'FORBIDDEN') ? 'refused' : 'other';
  }
  const forbidden = (body.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN' && e.path && isPrefix(e.path, segments));
  const value = get(body.data, segments);
  if (forbidden.length > 0) {
    const at = forbidden[0].path!;
    return get(body.data, at) === null ? 'denied' : 'other';
  }
  const otherErrors = (body.errors ?? []).filter((e) => e.path && isPrefix(e.path, segments));
  return value !== null && value !== undefined && otherErrors.length === 0 ? 'allowed' : 'other';
}
