/**
 * A small Confluent-compatible Schema Registry + DEK Registry HTTP server over the in-memory
 * registries — a **test / development server, not for production** (no persistence, no
 * compatibility checking, no TLS, one process).
 *
 * It answers the REST routes our clients and Confluent's own JS client
 * (`@confluentinc/schemaregistry` 1.10.x) call, in Confluent's JSON shapes: entities omit
 * absent fields, errors are `{ "error_code": <int>, "message": <string> }` with the server's
 * codes (40401, 40402, 40403, 40470, 40971, 42201, 42202, 42271, 50070, ...).
 *
 * Test hooks: optional basic or bearer auth (401 otherwise), `failNext(n, status)` to answer
 * the next `n` requests with an error status, `legacyDekCreate` to answer 405 on the
 * subject-in-path DEK create, and a request log.
 *
 * Import it from `@csfle/registry/server` (it is not part of the main entry point).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Dek, type DekAlgorithm, type RegisteredSchema, isCsfleError, isRegistryError } from '@csfle/core';
import { rawMessageOf, registryFailure } from './internal/errors.js';
import {
  type InMemoryDekRegistry,
  type InMemoryDekRegistryOptions,
  type InMemorySchemaRegistry,
  createInMemoryDekRegistry,
  createInMemorySchemaRegistry,
} from './memory.js';

/** Options of {@link startRegistryServer}. */
export interface RegistryServerOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** Require credentials on every request (401 otherwise). Default: no auth. */
  readonly auth?: {
    readonly basic?: { readonly username: string; readonly password: string };
    readonly bearer?: string;
  };
  /** Schema registry state to serve. Default: a new empty one. */
  readonly schemaRegistry?: InMemorySchemaRegistry;
  /** DEK registry state to serve. Default: a new one built from `clock`, `generateDek`, `unwrapDek`. */
  readonly dekRegistry?: InMemoryDekRegistry;
  /** For the default DEK registry: clock for `ts`. */
  readonly clock?: InMemoryDekRegistryOptions['clock'];
  /** For the default DEK registry: server-side DEK generation for shared KEKs. */
  readonly generateDek?: InMemoryDekRegistryOptions['generateDek'];
  /** For the default DEK registry: server-side unwrap for shared KEKs. */
  readonly unwrapDek?: InMemoryDekRegistryOptions['unwrapDek'];
  /** Answer 405 to `POST /dek-registry/v1/keks/{kek}/deks/{subject}` (an older server). Default false. */
  readonly legacyDekCreate?: boolean;
  /** Largest accepted request body in bytes. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Renders a schema in another format when a client asks for one (`?format=` on schema reads),
   * e.g. Protobuf `serialized` (a base64 FileDescriptorProto), which Confluent's clients request.
   * The registry stays format-agnostic: the caller supplies the converter (`@csfle/protobuf`'s
   * `toFileDescriptorProto`). Return `undefined` to serve the schema as stored.
   */
  readonly formatSchema?: SchemaFormatter;
}

/** See {@link RegistryServerOptions.formatSchema}. */
export type SchemaFormatter = (
  schema: RegisteredSchema,
  format: string,
  lookupReference: (subject: string, version: number) => Promise<RegisteredSchema>,
) => string | undefined | Promise<string | undefined>;

/** One served request, for tests. */
export interface ServedRequest {
  readonly method: string;
  /** Path and query string, as received. */
  readonly url: string;
  readonly status: number;
  /** The `User-Agent` header (e.g. `axios/...` for Confluent's client, `node` for fetch). */
  readonly userAgent: string;
}

/** A running server. */
export interface RegistryServer {
  /** Base URL, e.g. `http://127.0.0.1:39123`. */
  readonly url: string;
  readonly port: number;
  /** The schema registry state behind the server. */
  readonly schemas: InMemorySchemaRegistry;
  /** The DEK registry state behind the server. */
  readonly deks: InMemoryDekRegistry;
  /** Requests served so far (the most recent 10 000). */
  readonly requests: readonly ServedRequest[];
  /** Answer the next `count` requests with `status` (default 503) before routing. */
  failNext(count: number, status?: number): void;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** Send `body` (a string) as is, not JSON-encoded. */
  readonly raw?: boolean;
}

interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

type Handler = (ctx: RouteContext) => Promise<Reply>;

interface Route {
  readonly segments: readonly string[];
  readonly handlers: Partial<Record<Method, Handler>>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const MAX_LOG = 10_000;

const ok = (body: unknown): Reply => ({ status: 200, body });
const noContent: Reply = { status: 204 };

function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

function versionParam(raw: string): number {
  if (raw === 'latest') return -1;
  const n = /^-?\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || (n < 1 && n !== -1) || n > 2147483647) {
    throw registryFailure(
      422,
      42202,
      `The specified version '${raw}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    );
  }
  return n;
}

function idParam(raw: string): number {
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n)) throw registryFailure(404, 40403, `Schema ${raw} not found`);
  return n;
}

function algorithmParam(query: URLSearchParams): DekAlgorithm | undefined {
  const a = query.get('algorithm');
  return a === null || a === '' ? undefined : (a as DekAlgorithm);
}

function requireBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw registryFailure(422, 422, 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** `GET /schemas/ids/{id}` shape: the schema fields (and guid), no id/subject/version. */
function schemaString(s: RegisteredSchema): Record<string, unknown> {
  const { id: _id, subject: _subject, version: _version, ...rest } = s;
  return rest;
}

/** Register answer: id, version, guid and the schema fields (Confluent Platform 8 shape). */
function registerResponse(s: RegisteredSchema): Record<string, unknown> {
  const { subject: _subject, ...rest } = s;
  return rest;
}

function defineRoutes(schemas: InMemorySchemaRegistry, deks: InMemoryDekRegistry, legacyDekCreate: boolean, formatSchema?: SchemaFormatter): Route[] {
  const routes: Route[] = [];
  const route = (path: string, handlers: Partial<Record<Method, Handler>>): void => {
    routes.push({ segments: path.split('/').filter((s) => s !== ''), handlers });
  };

  async function getDekOr404(kek: string, subject: string, version: number, ctx: RouteContext): Promise<Dek> {
    const deleted = flag(ctx.query, 'deleted');
    if ((await deks.getKek(kek, { deleted })) === undefined) throw registryFailure(404, 40470, `Key '${kek}' not found`);
    const dek = await deks.getDek(kek, subject, version, algorithmParam(ctx.query) ?? 'AES256_GCM', { deleted });
    if (dek === undefined) throw registryFailure(404, 40470, `Key '${subject}' not found`);
    return dek;
  }

  async function createDek(kek: string, body: Record<string, unknown>, subject: unknown): Promise<Reply> {
    const request: { subject: string; version: number; algorithm: DekAlgorithm; encryptedKeyMaterial?: string } = {
      subject: subject as string,
      version: (body.version ?? 1) as number,
      algorithm: (body.algorithm ?? 'AES256_GCM') as DekAlgorithm,
    };
    if (body.encryptedKeyMaterial !== undefined && body.encryptedKeyMaterial !== null) {
      request.encryptedKeyMaterial = body.encryptedKeyMaterial as string;
    }
    return ok(await deks.createDek(kek, request));
  }

  /** Applies `?format=` through the caller's formatter, if any. */
  async function formatted(s: RegisteredSchema, query: URLSearchParams): Promise<RegisteredSchema> {
    const format = query.get('format');
    if (!format || !formatSchema) return s;
    const out = await formatSchema(s, format, (subject, version) => schemas.getByVersion(subject, version));
    return out === undefined ? s : { ...s, schema: out };
  }

  // ---- Schema Registry -------------------------------------------------------------------
  route('/', { GET: async () => ok({}) });
  route('/subjects', {
    GET: async ({ query }) => {
      const prefix = query.get('subjectPrefix') ?? '';
      const all = await schemas.getSubjects({ deleted: flag(query, 'deleted') });
      return ok(all.filter((s) => s.startsWith(prefix)));
    },
  });
  route('/subjects/:subject', {
    POST: async ({ params, query, body }) =>
      ok(
        await schemas.lookup(params.subject as string, requireBody(body) as never, {
          normalize: flag(query, 'normalize'),
          deleted: flag(query, 'deleted'),
        }),
      ),
    DELETE: async ({ params, query }) =>
      ok(await schemas.deleteSubject(params.subject as string, { permanent: flag(query, 'permanent') })),
  });
  route('/subjects/:subject/versions', {
    GET: async ({ params, query }) => ok(await schemas.getVersions(params.subject as string, { deleted: flag(query, 'deleted') })),
    POST: async ({ params, query, body }) =>
      ok(
        registerResponse(
          await schemas.registerFull(params.subject as string, requireBody(body) as never, { normalize: flag(query, 'normalize') }),
        ),
      ),
  });
  route('/subjects/:subject/versions/:version', {
    GET: async ({ params, query }) =>
      ok(
        await formatted(
          await schemas.getByVersion(params.subject as string, versionParam(params.version as string), {
            deleted: flag(query, 'deleted'),
          }),
          query,
        ),
      ),
    DELETE: async ({ params, query }) =>
      ok(
        await schemas.deleteSubjectVersion(params.subject as string, versionParam(params.version as string), {
          permanent: flag(query, 'permanent'),
        }),
      ),
  });
  route('/subjects/:subject/versions/:version/schema', {
    GET: async ({ params, query }) => {
      const s = await schemas.getByVersion(params.subject as string, versionParam(params.version as string), {
        deleted: flag(query, 'deleted'),
      });
      return { status: 200, body: s.schema, raw: true };
    },
  });
  route('/subjects/:subject/metadata', {
    GET: async ({ params, query }) => {
      const keys = query.getAll('key');
      const values = query.getAll('value');
      if (keys.length !== values.length) throw registryFailure(422, 422, 'Each metadata key needs a value');
      const metadata: Record<string, string> = {};
      keys.forEach((k, i) => {
        metadata[k] = values[i] as string;
      });
      return ok(await formatted(await schemas.getLatestWithMetadata(params.subject as string, metadata, { deleted: flag(query, 'deleted') }), query));
    },
  });
  route('/schemas/ids/:id', {
    GET: async ({ params, query }) => ok(schemaString(await formatted(await schemas.getById(idParam(params.id as string)), query))),
  });
  route('/schemas/ids/:id/schema', {
    GET: async ({ params }) => ({ status: 200, body: (await schemas.getById(idParam(params.id as string))).schema, raw: true }),
  });
  route('/schemas/ids/:id/versions', {
    GET: async ({ params, query }) =>
      ok(await schemas.getSubjectVersionsById(idParam(params.id as string), { deleted: flag(query, 'deleted') })),
  });
  route('/schemas/ids/:id/subjects', {
    GET: async ({ params, query }) => {
      const pairs = await schemas.getSubjectVersionsById(idParam(params.id as string), { deleted: flag(query, 'deleted') });
      return ok([...new Set(pairs.map((p) => p.subject))]);
    },
  });
  route('/schemas/guids/:guid', {
    GET: async ({ params }) => ok(schemaString(await schemas.getByGuid(params.guid as string))),
  });
  route('/schemas/types', { GET: async () => ok(['JSON', 'PROTOBUF', 'AVRO']) });
  route('/config', {
    GET: async () => ok(await schemas.getConfig()),
    PUT: async ({ body }) => ok(await schemas.setConfig(undefined, requireBody(body))),
  });
  route('/config/:subject', {
    GET: async ({ params, query }) =>
      ok(await schemas.getConfig(params.subject as string, { defaultToGlobal: flag(query, 'defaultToGlobal') })),
    PUT: async ({ params, body }) => ok(await schemas.setConfig(params.subject as string, requireBody(body))),
  });
  route('/mode', { GET: async () => ok({ mode: 'READWRITE' }) });
  route('/mode/:subject', { GET: async () => ok({ mode: 'READWRITE' }) });
  route('/contexts', { GET: async () => ok(['.']) });
  const compatible: Handler = async ({ query, body }) => {
    await schemas.validateSchema(requireBody(body) as never);
    return ok(flag(query, 'verbose') ? { is_compatible: true, messages: [] } : { is_compatible: true });
  };
  route('/compatibility/subjects/:subject/versions', { POST: compatible });
  route('/compatibility/subjects/:subject/versions/:version', { POST: compatible });
  // Data-contract associations (Confluent Platform 8.1+): none are ever stored here, so every
  // lookup answers an empty list — which makes the JS client's default ASSOCIATED subject-name
  // strategy fall back to TopicNameStrategy (it also falls back on 404).
  route('/associations/resources/:namespace/:name', { GET: async () => ok([]) });
  route('/associations/resources/:id', { GET: async () => ok([]) });
  route('/associations/subjects/:subject', { GET: async () => ok([]) });

  // ---- DEK Registry ----------------------------------------------------------------------
  const keks = '/dek-registry/v1/keks';
  route(keks, {
    GET: async ({ query }) => ok(await deks.listKeks({ deleted: flag(query, 'deleted') })),
    POST: async ({ body }) => {
      const b = requireBody(body);
      const kek: Parameters<InMemoryDekRegistry['createKek']>[0] = {
        name: b.name as string,
        kmsType: b.kmsType as string,
        kmsKeyId: b.kmsKeyId as string,
        shared: b.shared === true,
      };
      if (b.kmsProps !== undefined && b.kmsProps !== null) kek.kmsProps = b.kmsProps as Record<string, string>;
      if (b.doc !== undefined && b.doc !== null) kek.doc = b.doc as string;
      return ok(await deks.createKek(kek));
    },
  });
  route(`${keks}/:name`, {
    GET: async ({ params, query }) => {
      const kek = await deks.getKek(params.name as string, { deleted: flag(query, 'deleted') });
      if (kek === undefined) throw registryFailure(404, 40470, `Key '${params.name}' not found`);
      return ok(kek);
    },
    PUT: async ({ params, body }) => {
      const b = requireBody(body);
      const update: { kmsProps?: Record<string, string>; doc?: string; shared?: boolean } = {};
      if (b.kmsProps !== undefined && b.kmsProps !== null) update.kmsProps = b.kmsProps as Record<string, string>;
      if (b.doc !== undefined && b.doc !== null) update.doc = b.doc as string;
      if (typeof b.shared === 'boolean') update.shared = b.shared;
      return ok(await deks.updateKek(params.name as string, update));
    },
    DELETE: async ({ params, query }) => {
      await deks.deleteKek(params.name as string, { permanent: flag(query, 'permanent') });
      return noContent;
    },
  });
  route(`${keks}/:name/undelete`, {
    POST: async ({ params }) => {
      await deks.undeleteKek(params.name as string);
      return noContent;
    },
  });
  route(`${keks}/:kek/deks`, {
    GET: async ({ params, query }) => ok(await deks.listDekSubjects(params.kek as string, { deleted: flag(query, 'deleted') })),
    // Deprecated create: the subject is in the body.
    POST: async ({ params, body }) => {
      const b = requireBody(body);
      return createDek(params.kek as string, b, b.subject);
    },
  });
  const dekBySubject: Partial<Record<Method, Handler>> = {
    // Like the Java server, the version-less GET answers version 1.
    GET: async (ctx) => ok(await getDekOr404(ctx.params.kek as string, ctx.params.subject as string, 1, ctx)),
    DELETE: async ({ params, query }) => {
      const opts: { algorithm?: DekAlgorithm; permanent: boolean } = { permanent: flag(query, 'permanent') };
      const algorithm = algorithmParam(query);
      if (algorithm !== undefined) opts.algorithm = algorithm;
      await deks.deleteDekVersions(params.kek as string, params.subject as string, opts);
      return noContent;
    },
  };
  if (!legacyDekCreate) {
    dekBySubject.POST = async ({ params, body, query }) => {
      const b = requireBody(body);
      if (!flag(query, 'rewrap')) return createDek(params.kek as string, b, params.subject);
      // Rewrap: the client re-wrapped the same key under the KEK's current KMS key version.
      return ok(
        await deks.rewrapDek(params.kek as string, {
          subject: params.subject as string,
          version: (b.version ?? 1) as number,
          algorithm: (b.algorithm ?? 'AES256_GCM') as DekAlgorithm,
          encryptedKeyMaterial: b.encryptedKeyMaterial as string,
        }),
      );
    };
  }
  route(`${keks}/:kek/deks/:subject`, dekBySubject);
  route(`${keks}/:kek/deks/:subject/undelete`, {
    POST: async ({ params, query }) => {
      const algorithm = algorithmParam(query);
      await deks.undeleteDekVersions(params.kek as string, params.subject as string, algorithm === undefined ? {} : { algorithm });
      return noContent;
    },
  });
  route(`${keks}/:kek/deks/:subject/versions`, {
    GET: async ({ params, query }) => {
      const opts: { algorithm?: DekAlgorithm; deleted: boolean } = { deleted: flag(query, 'deleted') };
      const algorithm = algorithmParam(query);
      if (algorithm !== undefined) opts.algorithm = algorithm;
      return ok(await deks.listDekVersions(params.kek as string, params.subject as string, opts));
    },
  });
  route(`${keks}/:kek/deks/:subject/versions/:version`, {
    GET: async (ctx) =>
      ok(await getDekOr404(ctx.params.kek as string, ctx.params.subject as string, versionParam(ctx.params.version as string), ctx)),
    DELETE: async ({ params, query }) => {
      const opts: { algorithm?: DekAlgorithm; permanent: boolean } = { permanent: flag(query, 'permanent') };
      const algorithm = algorithmParam(query);
      if (algorithm !== undefined) opts.algorithm = algorithm;
      await deks.deleteDek(params.kek as string, params.subject as string, versionParam(params.version as string), opts);
      return noContent;
    },
  });
  route(`${keks}/:kek/deks/:subject/versions/:version/undelete`, {
    POST: async ({ params, query }) => {
      const algorithm = algorithmParam(query);
      await deks.undeleteDek(
        params.kek as string,
        params.subject as string,
        versionParam(params.version as string),
        algorithm === undefined ? {} : { algorithm },
      );
      return noContent;
    },
  });
  return routes;
}

function match(route: Route, segments: readonly string[]): Record<string, string> | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const pattern = route.segments[i] as string;
    const actual = segments[i] as string;
    if (pattern.startsWith(':')) params[pattern.slice(1)] = actual;
    else if (pattern !== actual) return undefined;
  }
  return params;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function authorized(req: IncomingMessage, auth: RegistryServerOptions['auth']): boolean {
  if (auth === undefined || (auth.basic === undefined && auth.bearer === undefined)) return true;
  const header = req.headers.authorization ?? '';
  if (auth.basic !== undefined && header.startsWith('Basic ')) {
    const given = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    return timingSafeEqual(digest(given), digest(`${auth.basic.username}:${auth.basic.password}`));
  }
  if (auth.bearer !== undefined && header.startsWith('Bearer ')) {
    return timingSafeEqual(digest(header.slice(7).trim()), digest(auth.bearer));
  }
  return false;
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? resolve(undefined) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string> = {}): void {
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, extraHeaders);
    res.end();
    return;
  }
  const text = reply.raw === true ? String(reply.body) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

function errorReply(status: number, errorCode: number, message: string): Reply {
  return { status, body: { error_code: errorCode, message } };
}

/**
 * Starts the test server.
 *
 * @param options - see {@link RegistryServerOptions}.
 * @returns the running server (`url`, state, test hooks, `close()`).
 * @example
 * ```ts
 * const server = await startRegistryServer({ port: 0 });
 * const { schemas, deks } = createRegistryClients({ url: server.url });
 * // ...
 * await server.close();
 * ```
 */
export async function startRegistryServer(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const schemas = options.schemaRegistry ?? createInMemorySchemaRegistry();
  const dekOptions: InMemoryDekRegistryOptions = {
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.generateDek === undefined ? {} : { generateDek: options.generateDek }),
    ...(options.unwrapDek === undefined ? {} : { unwrapDek: options.unwrapDek }),
  };
  const deks = options.dekRegistry ?? createInMemoryDekRegistry(dekOptions);
  const routes = defineRoutes(schemas, deks, options.legacyDekCreate === true, options.formatSchema);
  const requests: ServedRequest[] = [];
  let failures: { remaining: number; status: number } = { remaining: 0, status: 503 };

  async function handle(req: IncomingMessage): Promise<{ reply: Reply; headers?: Record<string, string> }> {
    if (!authorized(req, options.auth)) {
      return {
        reply: errorReply(401, 401, 'Unauthorized'),
        headers: { 'WWW-Authenticate': 'Basic realm="csfle-registry"' },
      };
    }
    if (failures.remaining > 0) {
      failures.remaining--;
      const status = failures.status;
      return { reply: errorReply(status, status === 500 ? 50001 : status * 100 + 1, 'Injected failure (test hook)') };
    }
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    let segments: string[];
    try {
      segments = url.pathname
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
    } catch {
      return { reply: errorReply(400, 400, 'Malformed path') };
    }
    const method = (req.method ?? 'GET').toUpperCase() as Method;
    let matched: { route: Route; params: Record<string, string> } | undefined;
    for (const route of routes) {
      const params = match(route, segments);
      if (params !== undefined) {
        matched = { route, params };
        break;
      }
    }
    if (matched === undefined) return { reply: errorReply(404, 404, 'HTTP 404 Not Found') };
    const handler = matched.route.handlers[method];
    if (handler === undefined) return { reply: errorReply(405, 405, 'HTTP 405 Method Not Allowed') };

    const text = await readBody(req, maxBodyBytes);
    if (text === undefined) return { reply: errorReply(413, 413, 'Request body too large') };
    let body: unknown;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return { reply: errorReply(400, 400, 'Unrecognized JSON in request body') };
      }
    }
    try {
      return { reply: await handler({ params: matched.params, query: url.searchParams, body }) };
    } catch (e) {
      if (isRegistryError(e) && e.status !== undefined) {
        return { reply: errorReply(e.status, e.registryErrorCode ?? e.status, rawMessageOf(e) ?? e.message) };
      }
      if (isCsfleError(e) && e.code === 'INVALID_ARGUMENT') return { reply: errorReply(422, 422, e.message) };
      return { reply: errorReply(500, 50001, 'Internal server error') };
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req).then(
      ({ reply, headers }) => {
        requests.push({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          status: reply.status,
          userAgent: req.headers['user-agent'] ?? '',
        });
        if (requests.length > MAX_LOG) requests.splice(0, requests.length - MAX_LOG);
        send(res, reply, headers);
      },
      () => {
        send(res, errorReply(500, 50001, 'Internal server error'));
      },
    );
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.address.includes(':') ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    schemas,
    deks,
    requests,
    failNext(count, status = 503) {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`registry-server: "count" expected non-negative integer, got ${count}`);
      if (!Number.isInteger(status) || status < 400 || status > 599) {
        throw new RangeError(`registry-server: "status" expected 400..599, got ${status}`);
      }
      failures = { remaining: count, status };
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err === undefined ? resolve() : reject(err)));
        server.closeAllConnections();
      });
    },
  };
}
