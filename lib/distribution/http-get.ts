// One GET over node:http or node:https, with an idle timeout and an abort signal, returning the
// response head and its body as a stream. The client's only network edge.
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TsmediaError } from '../errors.js';

export interface HttpGetOptions {
  headers?: Record<string, string>;
  /** Abandon a request that sends nothing for this long. */
  idleTimeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Extra trusted CA certificates (PEM) for HTTPS distribution points. */
  ca?: string | undefined;
}

/** A failure that another attempt (or another distribution point) may not have. */
export class TransferError extends TsmediaError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('ETRANSFER', message, data);
    this.name = 'TransferError';
  }
}

export function httpGet(url: URL, o: HttpGetOptions): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
  if (!request) return Promise.reject(new TsmediaError('EBAD_URL', `${url.href} is not an http:// or https:// URL.`));
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      headers: o.headers ?? {},
      // a fresh connection per request: a server that broke one response cannot poison the next
      agent: false,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
    });
    req.setTimeout(o.idleTimeoutMs, () => req.destroy(new TransferError(`${url.host} sent nothing for ${o.idleTimeoutMs} ms.`)));
    req.on('response', (res) => {
      // the idle timeout keeps guarding the body
      res.socket.setTimeout(o.idleTimeoutMs, () => res.destroy(new TransferError(`${url.host} stalled for ${o.idleTimeoutMs} ms mid-body.`)));
      resolve(res);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (o.signal?.aborted) reject(o.signal.reason ?? err);
      else reject(err instanceof TsmediaError ? err : new TransferError(`${url.host}: ${err.code ?? err.message}.`, { url: url.href }));
    });
    req.end();
  });
}

/** Reads a whole (small) body, refusing more than max bytes. */
export async function readBody(res: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of res as AsyncIterable<Buffer>) {
      n += c.length;
      if (n > max) { res.destroy(); throw new TransferError(`the response is larger than ${max} bytes.`); }
      chunks.push(c);
    }
  } catch (err) {
    if (err instanceof TsmediaError) throw err;
    throw new TransferError(`the connection broke mid-body (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  return Buffer.concat(chunks);
}
