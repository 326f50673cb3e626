import { describe, expect, it } from 'vitest';
import { Router } from '../../../lib/http/router.js';
import { defineRoute } from '../../../lib/http/types.js';

const h = async () => ({ status: 200 });
const P = '/language/authoring/analyze-text/projects';
const routes = [
  defineRoute({ method: 'GET', path: `${P}/{projectName}`, handler: h }),
  defineRoute({ method: 'PATCH', path: `${P}/{projectName}`, handler: h }),
  defineRoute({ method: 'GET', path: `${P}/global/deletion-jobs/{jobId}`, handler: h }),
  defineRoute({ method: 'POST', path: `${P}/{projectName}/:import`, handler: h }),
  defineRoute({ method: 'POST', path: `${P}/{projectName}/deployments/:swap`, handler: h }),
  defineRoute({ method: 'PUT', path: `${P}/{projectName}/deployments/{deploymentName}`, handler: h }),
  defineRoute({ method: 'POST', path: '/language/analyze-text/jobs/{jobId}:cancel', handler: h }),
  defineRoute({ method: 'GET', path: '/language/analyze-text/jobs/{jobId}', handler: h }),
];
const router = new Router(routes);

describe('Router', () => {
  it('matches placeholders and decodes them', () => {
    const m = router.match('GET', `${P}/My%20Project`);
    expect(m).toMatchObject({ kind: 'found', params: { projectName: 'My Project' } });
  });

  it('prefers literal segments over placeholders', () => {
    const m = router.match('GET', `${P}/global/deletion-jobs/abc`);
    expect(m.kind === 'found' && m.route.path).toBe(`${P}/global/deletion-jobs/{jobId}`);
  });

  it('matches colon action segments like :import and :swap', () => {
    expect(router.match('POST', `${P}/p1/:import`)).toMatchObject({ kind: 'found', params: { projectName: 'p1' } });
    const swap = router.match('POST', `${P}/p1/deployments/:swap`);
    expect(swap.kind === 'found' && swap.route.path).toContain(':swap');
    // PUT on deployments/{name} must not swallow ':swap' for POST, and POST must not reach the PUT route.
    expect(router.match('PUT', `${P}/p1/deployments/prod`)).toMatchObject({ params: { deploymentName: 'prod' } });
  });

  it('matches a placeholder followed by a literal action in the same segment', () => {
    expect(router.match('POST', '/language/analyze-text/jobs/j-1:cancel')).toMatchObject({
      kind: 'found',
      params: { jobId: 'j-1' },
    });
    expect(router.match('GET', '/language/analyze-text/jobs/j-1')).toMatchObject({ kind: 'found', params: { jobId: 'j-1' } });
  });

  it('answers 405 facts with the allowed methods when only the method is wrong', () => {
    expect(router.match('DELETE', `${P}/p1/:import`)).toEqual({ kind: 'method-not-allowed', allow: ['POST'] });
    expect(router.match('POST', `${P}/p1`)).toEqual({ kind: 'method-not-allowed', allow: ['GET', 'PATCH'] });
  });

  it('answers not-found for unknown paths, and ignores a trailing slash', () => {
    expect(router.match('GET', '/nope')).toEqual({ kind: 'not-found' });
    expect(router.match('GET', `${P}/p1/`)).toMatchObject({ kind: 'found' });
  });

  it('refuses duplicate routes at construction', () => {
    expect(() => new Router([routes[0], routes[0]])).toThrow(/Duplicate route/);
  });
});
