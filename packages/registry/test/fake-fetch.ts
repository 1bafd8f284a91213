/** A scripted `fetch` for unit tests: records every call and answers from a handler. */

export interface RecordedCall {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly signal: AbortSignal | undefined;
}

export type FakeAnswer =
  | { status: number; body?: unknown; statusText?: string; text?: string }
  | Error
  | 'hang';

export interface FakeFetch {
  readonly fetch: typeof globalThis.fetch;
  readonly calls: RecordedCall[];
}

/**
 * @param answer - called for each request (with the call index); returns the answer to give.
 */
export function fakeFetch(answer: (call: RecordedCall, index: number) => FakeAnswer | Promise<FakeAnswer>): FakeFetch {
  const calls: RecordedCall[] = [];
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const call: RecordedCall = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      signal: init?.signal ?? undefined,
    };
    calls.push(call);
    const a = await answer(call, calls.length - 1);
    if (a === 'hang') {
      return new Promise<Response>((_, reject) => {
        const signal = init?.signal;
        if (signal == null) return;
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    if (a instanceof Error) throw a;
    const text = a.text ?? (a.body === undefined ? '' : JSON.stringify(a.body));
    return new Response(a.status === 204 ? null : text, {
      status: a.status,
      statusText: a.statusText ?? '',
      headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    });
  };
  return { fetch: fetchImpl as typeof globalThis.fetch, calls };
}

/** A network failure as undici reports it. */
export function networkError(): Error {
  return Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
}
