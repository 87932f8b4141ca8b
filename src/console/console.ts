import type { HTTPVersion, Instance } from 'find-my-way';
import type { ConsoleDeps } from './deps.js';
import { alertRoutes } from './alert-routes.js';
import { apiRoutes } from './api-routes.js';
import { approvalRoutes } from './approval-routes.js';
import { guards } from './guard.js';
import { noteRoutes } from './note-routes.js';
import { pageRoutes } from './page-routes.js';
import { sessionRoutes } from './session-routes.js';

export { send } from './respond.js';
export type { ConsoleDeps, DaemonControl } from './deps.js';

/**
 * The console's routes on the daemon's HTTP port: the pages, logging in and the
 * actions, approvals, and the JSON API, each behind the guards of guard.ts.
 */
export function consoleRoutes(router: Instance<HTTPVersion.V1>, deps: ConsoleDeps): void {
  const token = deps.config.http.consoleToken;
  const w = guards(token, deps.config.http.host, deps.config.http.readToken);
  pageRoutes(router, deps, w);
  sessionRoutes(router, deps, token, w);
  approvalRoutes(router, deps, w);
  noteRoutes(router, deps, w);
  apiRoutes(router, deps, w);
  alertRoutes(router, deps);
}
