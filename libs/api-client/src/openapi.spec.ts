import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { envelope } from './test-support/envelopes.js';
import { SERVER_ROUTES } from './testing/results-api-server.js';
import { API_PATHS, RESULT_OUTCOMES } from './wire.js';

interface Spec {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, { enum?: string[] }> }>; securitySchemes: Record<string, { scheme?: string }> };
}

const spec = parse(readFileSync(join(import.meta.dirname, '..', 'openapi.yaml'), 'utf8')) as Spec;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((key) => METHODS.includes(key))
    .map((method) => `${method} ${path}`),
);

describe('openapi.yaml', () => {
  it('is OpenAPI 3.1 with the three operations', () => {
    expect(spec.openapi).toBe('3.1.0');
    expect(operations.sort()).toEqual(['get /files/{fileId}/results', 'post /consignments/{consignmentId}/complete', 'post /consignments/{consignmentId}/results']);
    expect(spec.components.securitySchemes['bearerAuth']?.scheme).toBe('bearer');
  });

  it('has every $ref resolvable', () => {
    const refs = [...readFileSync(join(import.meta.dirname, '..', 'openapi.yaml'), 'utf8').matchAll(/\$ref: '#\/([^']+)'/g)].map((match) => match[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const target = ref.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], spec);
      expect(target, ref).toBeDefined();
    }
  });

  it('agrees with the test server: the same routes, no more, no fewer', () => {
    expect(SERVER_ROUTES.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([...operations].sort());
  });

  it('agrees with the client: its paths, and the outcomes it understands', () => {
    expect(Object.values(API_PATHS).sort()).toEqual(Object.keys(spec.paths).sort());
    expect(spec.components.schemas['ResultReceipt']?.properties?.['outcome']?.enum).toEqual([...RESULT_OUTCOMES]);
  });

  it('describes the envelope the checks produce', () => {
    const schema = spec.components.schemas['ResultEnvelope'];
    const sample = envelope(1);
    for (const field of schema.required ?? []) expect(sample, field).toHaveProperty(field);
    for (const field of Object.keys(sample)) expect(Object.keys(schema.properties ?? {}), field).toContain(field);
    expect(schema.properties?.['status']?.enum).toEqual(['completed', 'error']);
  });
});
