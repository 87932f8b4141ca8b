import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseVerdict, verdictJsonSchema } from './verdict.js';

describe('the verdict schema', () => {
  it('requires exactly status, summary and escalate; everything else is optional', () => {
    const schema = JSON.parse(verdictJsonSchema) as {
      type: string;
      required: string[];
      properties: Record<string, { enum?: string[] }>;
    };
    assert.equal(schema.type, 'object');
    assert.deepEqual([...schema.required].sort(), ['escalate', 'status', 'summary']);
    assert.deepEqual(schema.properties.status!.enum, ['healthy', 'unhealthy']);
    for (const optional of ['checks', 'remediations', 'findings']) assert.ok(optional in schema.properties, optional);
  });

  it('accepts a minimal verdict and names what is wrong with a bad one', () => {
    assert.deepEqual(parseVerdict({ status: 'healthy', summary: 'ok', escalate: false }).verdict, {
      status: 'healthy',
      summary: 'ok',
      escalate: false,
    });
    const bad = parseVerdict({ status: 'fine', summary: 'ok' });
    assert.equal(bad.verdict, undefined);
    assert.match(bad.error!, /status: /);
    assert.match(bad.error!, /escalate: /);
  });
});
