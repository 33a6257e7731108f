import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../platform/src';

const SOURCE_FOLDERS = ['access-policy', 'gateway', 'platform', 'schema', 'subgraphs'];

/**
 * Maps kept for the life of a module or a long-lived object that are not caches of what callers
 * send, each with the reason it cannot grow with them. A new one must be added here, or be an
 * LRUCache bounded in entries and bytes.
 */
const NOT_CACHES: Record<string, string> = {
  'gateway/src/explorer/explorer-routes.ts ASSETS': 'a fixed table of six files',
  'gateway/src/audit-console/audit-console-routes.ts ASSETS': 'a fixed table of two files',
  'platform/src/scalars.ts PROJECT_SCALARS': "a fixed table of the project's scalars",
  'gateway/src/audit/response-subjects.ts plans': "a WeakMap keyed by Apollo's parsed documents, which its byte-bounded document cache holds",
  'gateway/src/audit/open-audit-store.ts pending': 'requests in flight to the audit worker, removed as each answers',
  'gateway/src/trusted-documents/trusted-document-store.ts manifests': "one manifest per client file in the operator's folder (at most 1,000 files of 8 MB)",
  'gateway/src/audit/subject-index.ts marks': 'one entry per audit chain (gateway instance)',
  'access-policy/src/rules.ts callerPredicates': 'a WeakMap keyed by rules, which are built from code at start-up',
  'access-policy/src/rules.ts byName': 'rules by name, built from code at start-up',
};

function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const root = projectRoot();
const files = SOURCE_FOLDERS.flatMap((f) => sources(join(root, f))).map((path) => ({ file: relative(root, path), text: readFileSync(path, 'utf8') }));

/** The options text of every `new LRUCache(…)`, as far as its closing parenthesis. */
function lruCaches(text: string): string[] {
  const found: string[] = [];
  for (let at = text.indexOf('new LRUCache'); at >= 0; at = text.indexOf('new LRUCache', at + 1)) {
    let depth = 0;
    let i = text.indexOf('(', at);
    const start = i;
    for (; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) break;
    }
    found.push(text.slice(start, i + 1));
  }
  return found;
}

/** docs/design.md §7 (issue 18, item 4): every cache is bounded in entries and in bytes. */
describe('caches', () => {
  const caches = files.flatMap(({ file, text }) => lruCaches(text).map((options) => ({ file, text, options })));

  it('there are caches to check (the scan works)', () => {
    expect(caches.length).toBeGreaterThanOrEqual(5);
  });

  it.each(caches.map((c) => [c.file, c]))('every LRUCache in %s has max, maxSize and sizeCalculation', (_file, { text, options }) => {
    // Options may come from a named constant spread in (`...NAME_CACHE_BOUNDS`): read its definition.
    const spread = /\.\.\.([A-Z_]+)/.exec(options)?.[1];
    const bounds = spread ? options + (new RegExp(`const ${spread}[^;]*;`).exec(text)?.[0] ?? '') : options;
    expect({ max: /\bmax:/.test(bounds), maxSize: /\bmaxSize:/.test(bounds), sizeCalculation: /\bsizeCalculation:/.test(bounds) }).toEqual({
      max: true,
      maxSize: true,
      sizeCalculation: true,
    });
  });

  it('no long-lived Map grows with what callers send (each one is listed with its reason)', () => {
    const declaration =
      /^(?:export )?(?:const|let) (\w+)(?::[^=]+)? = new (?:Weak)?Map\b|^ {2}(?:(?:private|protected|public|readonly|static) )+(\w+)(?::[^=]+)? = new (?:Weak)?Map\b/gm;
    const found = files.flatMap(({ file, text }) => [...text.matchAll(declaration)].map((m) => `${file} ${m[1] ?? m[2]}`));
    expect(found.filter((name) => !Object.hasOwn(NOT_CACHES, name))).toEqual([]);
  });
});
