import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { resolveAgentConfig } from './agent-config.js';
import { agentEnvironment, readAgentConfigFile } from './agent-config-file.js';

const dir = mkdtempSync(join(tmpdir(), 'agent-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('agent config file', () => {
  it('reads variable names with strings, numbers, booleans and lists', () => {
    const path = file(
      'ok.yaml',
      'KEPTN_API_ENDPOINT: https://cp.example.com/api\nPUBSUB_TOPIC: [sh.keptn.event.test.triggered, sh.keptn.event.release.triggered]\nAPI_PROXY_PORT: 9091\nHTTP_SSL_VERIFY: false\n',
    );
    expect(readAgentConfigFile(path)).toEqual({
      KEPTN_API_ENDPOINT: 'https://cp.example.com/api',
      PUBSUB_TOPIC: 'sh.keptn.event.test.triggered,sh.keptn.event.release.triggered',
      API_PROXY_PORT: '9091',
      HTTP_SSL_VERIFY: 'false',
    });
  });

  it('lets the environment win over the file, and is named by --config or SHIPMATE_AGENT_CONFIG', () => {
    const path = file('env.yaml', 'KEPTN_API_ENDPOINT: https://file.example.com/api\nSTAGE_FILTER: production\n');
    const config = resolveAgentConfig(agentEnvironment({ SHIPMATE_AGENT_CONFIG: path, STAGE_FILTER: 'hardening' }, undefined));
    expect(config.apiEndpoint).toBe('https://file.example.com/api');
    expect(config.stageFilter).toEqual(['hardening']);
    expect(agentEnvironment({ A: 'x' }, undefined)).toEqual({ A: 'x' });
    expect(agentEnvironment({}, path).STAGE_FILTER).toBe('production');
  });

  it.each([
    ['missing.yaml', undefined, /cannot be read \(ENOENT\)/],
    ['bad.yaml', 'a: [', /not valid YAML/],
    ['list.yaml', '- a\n- b\n', /must be a mapping of variable names/],
    ['unknown.yaml', 'PUBSUB_TOPICS: x\n', /unknown key 'PUBSUB_TOPICS'.*PUBSUB_TOPIC/],
    ['nested.yaml', 'STAGE_FILTER: {a: 1}\n', /'STAGE_FILTER' in .* must be a string/],
  ])('rejects %s with a ConfigError', (name, text, message) => {
    const path = text === undefined ? join(dir, name) : file(name, text);
    expect(() => readAgentConfigFile(path)).toThrow(ConfigError);
    expect(() => readAgentConfigFile(path)).toThrow(message);
  });
});
