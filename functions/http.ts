// Azure Functions HTTP registration: one catch-all function that feeds every request to the shared route table.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { sharedRuntime } from '../lib/app/deps.js';
import type { Deps } from '../lib/app/types.js';
import { collectLimited } from '../lib/http/body.js';
import { createHttpHandler, type HttpHandler } from '../lib/http/handle.js';
import { routes } from '../lib/http/routes/index.js';
import type { IncomingRequest, Route } from '../lib/http/types.js';

/** Adapts an Azure Functions request to the route table's IncomingRequest (the invocation id is the request id). */
export function toIncoming(request: HttpRequest, context: InvocationContext): IncomingRequest {
  return {
    method: request.method,
    url: request.url,
    headers: new Headers([...request.headers.entries()]),
    requestId: context.invocationId,
    readBody: async (maxBytes) =>
      request.body ? collectLimited(request.body as unknown as AsyncIterable<Uint8Array>, maxBytes) : new Uint8Array(),
  };
}

/** The Functions handler for `routes` on deps from `getDeps` (built once, reused across invocations). */
export function createFunctionsHttpHandler(
  getDeps: () => Promise<Deps>,
  table: readonly Route[] = routes,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  let handler: Promise<HttpHandler> | undefined;
  return async (request, context) => {
    handler ??= getDeps().then((deps) => createHttpHandler(table, deps));
    let h: HttpHandler;
    try {
      h = await handler;
    } catch (err) {
      handler = undefined;
      context.error('start-up failed', err);
      return {
        status: 503,
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': context.invocationId },
        jsonBody: {
          error: {
            code: 'ServiceUnavailable',
            message: `The service is starting or misconfigured. Request id: ${context.invocationId}.`,
          },
        },
      };
    }
    const res = await h(toIncoming(request, context));
    return { status: res.status, headers: res.headers, body: res.body };
  };
}

app.http('api', {
  route: '{*path}',
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: createFunctionsHttpHandler(async () => (await sharedRuntime()).deps),
});
