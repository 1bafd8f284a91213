/**
 * The HTTP transport given to node-vault (its `request-promise` hook): node:http(s) with the
 * caller's AbortSignal and an explicit CA. It always verifies TLS — node-vault's own transport
 * turns verification off when `VAULT_SKIP_VERIFY` is set, which a library must not do silently.
 */
import http from 'node:http';
import https from 'node:https';

export interface TransportOptions {
  /** PEM CA bundle to trust; replaces Node's default CAs for this connection (Node's `ca` option). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Largest response body accepted, bytes. */
  readonly maxBodyBytes?: number;
}

interface RpOptions {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  json?: unknown;
  signal?: AbortSignal;
}

interface RpResponse {
  statusCode: number;
  body: unknown;
  request: { path: string };
}

/** A network failure (no HTTP answer). */
export class TransportError extends Error {
  override readonly name = 'TransportError';
}

export function createTransport(options: TransportOptions = {}): { defaults(): (o: RpOptions) => Promise<RpResponse> } {
  const max = options.maxBodyBytes ?? 1024 * 1024;
  const send = (o: RpOptions): Promise<RpResponse> =>
    new Promise((resolve, reject) => {
      const url = new URL(o.uri);
      const body = o.json !== undefined && typeof o.json === 'object' ? Buffer.from(JSON.stringify(o.json)) : undefined;
      const headers: Record<string, string> = { accept: 'application/json', ...(o.headers ?? {}) };
      if (body) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(body.length);
      }
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(
        url,
        {
          method: o.method,
          headers,
          ...(o.signal ? { signal: o.signal } : {}),
          ...(url.protocol === 'https:' && options.ca !== undefined ? { ca: options.ca as string | Buffer | (string | Buffer)[] } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) req.destroy(new TransportError('response too large'));
            else chunks.push(c);
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // leave as text
            }
            resolve({ statusCode: res.statusCode ?? 0, body: parsed, request: { path: url.pathname } });
          });
          res.on('error', (e) => reject(new TransportError(e.message)));
        },
      );
      req.on('error', (e) => reject(e.name === 'AbortError' ? e : new TransportError(`${(e as NodeJS.ErrnoException).code ?? e.name}`)));
      if (body) req.write(body);
      req.end();
    });
  return { defaults: () => send };
}
