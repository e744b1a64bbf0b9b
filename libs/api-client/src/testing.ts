/**
 * `@tdr/api-client/testing`: an in-memory results API server (openapi.yaml)
 * for the tests of runners that deliver results, and for benches. Not for
 * production code.
 */
export { ResultsApiServer, SERVER_ROUTES } from './testing/results-api-server.js';
export type { RecordedRequest, ResultsApiServerOptions } from './testing/results-api-server.js';
