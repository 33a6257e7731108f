import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../platform/src';
import { parseManifest, type Manifest, type TrustedOperation } from './manifest';

/** A client id as a file name: `<client>.json`, nothing that could leave the folder. */
const CLIENT_FILE = /^([A-Za-z0-9][A-Za-z0-9._-]{0,99})\.json$/;
/** Files read in one folder at most, and bytes per file: a manifest is kilobytes. */
const MAX_MANIFESTS = 1000;
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

/**
 * The registered operations of every client, from `<client>.json` files in one folder, reloaded
 * without a restart when a file changes. A manifest that fails to parse is refused with a clear
 * operator-log line, and the client keeps its previous one (or none, if it never had a good one).
 */
export class TrustedDocumentStore {
  private manifests = new Map<string, Manifest>();
  private watcher: FSWatcher | null = null;
  private reloadTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Loads every manifest, then watches the folder. A folder that does not exist holds no manifests. */
  start(): void {
    this.reload();
    if (!existsSync(this.dir)) return;
    try {
      this.watcher = watch(this.dir, () => this.scheduleReload());
      this.watcher.on('error', (error) => this.logger.error({ dir: this.dir, reason: error.message }, 'trusted documents: watching the folder failed'));
    } catch (error) {
      this.logger.error({ dir: this.dir, reason: (error as Error).message }, 'trusted documents: cannot watch the folder; changes need a restart');
    }
  }

  stop(): void {
    this.watcher?.close();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
  }

  /** Whether the client registered any operations. */
  hasManifest(client: string | null): boolean {
    return client !== null && this.manifests.has(client);
  }

  /** The client's operation with this id, or null. */
  byId(client: string | null, id: string): TrustedOperation | null {
    return (client !== null && this.manifests.get(client)?.byId.get(id)) || null;
  }

  /** The client's operation with exactly this text, or null. */
  byBody(client: string | null, body: string): TrustedOperation | null {
    return (client !== null && this.manifests.get(client)?.byBody.get(body)) || null;
  }

  // Editors write a file in several steps: reload once things settle.
  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => this.reload(), 100);
    this.reloadTimer.unref();
  }

  /** Re-reads the folder; exported for the start-up path and the watcher alike. */
  reload(): void {
    const files = existsSync(this.dir)
      ? readdirSync(this.dir)
          .filter((f) => CLIENT_FILE.test(f))
          .slice(0, MAX_MANIFESTS)
      : [];
    const next = new Map<string, Manifest>();
    for (const file of files) {
      const client = CLIENT_FILE.exec(file)![1];
      try {
        const text = readFileSync(join(this.dir, file), 'utf8');
        if (text.length > MAX_MANIFEST_BYTES) throw new Error(`${file}: larger than ${MAX_MANIFEST_BYTES} bytes`);
        next.set(client, parseManifest(text, file));
      } catch (error) {
        const previous = this.manifests.get(client);
        if (previous) next.set(client, previous);
        this.logger.error(
          { alert: 'TRUSTED_DOCUMENTS_REFUSED', file, reason: (error as Error).message, kept: previous ? 'the previous manifest' : 'none' },
          'trusted documents: manifest refused',
        );
      }
    }
    this.manifests = next;
    this.logger.info({ dir: this.dir, clients: [...next.keys()].sort() }, 'trusted documents loaded');
  }
}
