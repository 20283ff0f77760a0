import { describe, expect, it } from 'vitest';
import { checkEndpointForm } from './endpoint-form-check.js';

describe('checkEndpointForm', () => {
  it('passes a well-formed endpoint with its parts', () => {
    const result = checkEndpointForm('https://cp.example.com:8443/api/', 'KEPTN_API_ENDPOINT');
    expect(result).toMatchObject({
      ok: true,
      summary: 'endpoint form: https://cp.example.com:8443/api (https, host cp.example.com, port 8443)',
    });
  });

  it('fails an empty endpoint naming the variable', () => {
    expect(checkEndpointForm('', 'KEPTN_API_ENDPOINT')).toMatchObject({
      ok: false,
      summary: 'endpoint form: KEPTN_API_ENDPOINT is empty',
      cause: 'KEPTN_API_ENDPOINT is not set',
    });
  });
});
