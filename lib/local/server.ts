// The local HTTP host: node:http in front of the same request pipeline the Functions adapter uses.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../app/logger.js';
import { collectLimited } from '../http/body.js';
import type { HttpHandler } from '../http/handle.js';
import type { IncomingRequest } from '../http/types.js';

/** A listening local HTTP host. */
export interface LocalHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Swaps the handler (the host starts with a "starting" handler, then serves the app). */
  setHandler(handler: HttpHandler): void;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

function toIncoming(req: IncomingMessage, fallbackOrigin: string): IncomingRequest {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) headers.append(k, item);
    else headers.set(k, v);
  }
  let url: string;
  try {
    url = new URL(req.url ?? '/', req.headers.host ? `http://${req.headers.host}` : fallbackOrigin).toString();
  } catch {
    url = new URL(req.url ?? '/', fallbackOrigin).toString();
  }
  return {
    method: req.method ?? 'GET',
    url,
    headers,
    requestId: randomUUID(),
    readBody: (maxBytes) => collectLimited(req, maxBytes),
  };
}

/** Listens on `host:port` (0 = any free port) and serves every request with the current handler. */
export async function startHttpServer(opts: {
  host?: string;
  port: number;
  handler: HttpHandler;
  log: Logger;
}): Promise<LocalHttpServer> {
  const host = opts.host ?? '127.0.0.1';
  let handler = opts.handler;
  let origin = `http://${host}:${opts.port}`;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const incoming = toIncoming(req, origin);
    handler(incoming)
      .then((out) => {
        res.writeHead(out.status, out.headers);
        res.end(out.body ? Buffer.from(out.body.buffer, out.body.byteOffset, out.body.byteLength) : undefined);
        opts.log.info('http', {
          method: incoming.method,
          path: new URL(incoming.url).pathname,
          status: out.status,
          ms: Date.now() - started,
          requestId: incoming.requestId,
        });
      })
      .catch((err) => {
        // The pipeline never throws; this is a broken socket or a bug in writing the response.
        opts.log.error('http response failed', { requestId: incoming.requestId, error: err });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end();
      })
      .finally(() => {
        // Drain an unread body (413 from content-length) so the client reads our answer, not a reset.
        req.resume();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`Port ${opts.port} on ${host} is in use; set PORT to another port.`, { cause: err }) : err),
    );
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: origin,
    port,
    setHandler: (h) => {
      handler = h;
    },
    close: (graceMs = 5000) =>
      (closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      })),
  };
}
