// `GET /health`: no key, no api-version; 200 with every component's state once all are ready, 503 before.
import { defineRoute, type Route } from '../types.js';

export const healthRoutes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/health',
    auth: false,
    azure: false,
    apiVersion: false,
    handler: async (deps) => {
      let components: Record<string, string>;
      try {
        components = await deps.health();
      } catch (err) {
        deps.log.error('health check failed', { error: err });
        components = { app: 'unavailable' };
      }
      const ready = Object.values(components).every((s) => s === 'ready');
      return {
        status: ready ? 200 : 503,
        headers: { 'cache-control': 'no-store', ...(ready ? {} : { 'retry-after': '1' }) },
        body: { status: ready ? 'ready' : 'starting', components },
      };
    },
  }),
];
