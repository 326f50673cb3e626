// The route table: every area's routes, served by both functions/ and the local host (each area adds one import line).
import type { Route } from '../types.js';
import { documentRoutes } from './documents.js';
import { healthRoutes } from './health.js';
import { projectRoutes } from './projects.js';

/** All routes of the API. */
export const routes: readonly Route[] = [...healthRoutes, ...projectRoutes, ...documentRoutes];
