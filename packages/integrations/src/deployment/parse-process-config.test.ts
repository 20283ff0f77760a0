import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import { ProcessConfigError, parseProcessConfig, splitCommand } from './parse-process-config.js';

describe('parseProcessConfig', () => {
  it('reads every field', () => {
    const config = parseProcessConfig(
      [
        'command: [node, server.js, --version, $IMAGE]',
        'workingDir: services/carts',
        'env: {GREETING: hello, WORKERS: 2}',
        'portEnv: HTTP_PORT',
        'healthCheck: {path: /health, timeoutSeconds: 5}',
      ].join('\n'),
    );
    expect(config).toEqual({
      command: ['node', 'server.js', '--version', '$IMAGE'],
      workingDir: 'services/carts',
      env: { GREETING: 'hello', WORKERS: '2' },
      portEnv: 'HTTP_PORT',
      healthCheck: { path: '/health', timeoutSeconds: 5 },
    });
  });

  it('fills the defaults', () => {
    expect(parseProcessConfig('command: ./carts')).toEqual({
      command: ['./carts'],
      workingDir: '.',
      env: {},
      portEnv: 'PORT',
      healthCheck: { path: undefined, timeoutSeconds: 30 },
    });
  });

  // [command string, words]
  const strings: Array<[string, string[]]> = [
    ['node server.js --version $IMAGE', ['node', 'server.js', '--version', '$IMAGE']],
    ["  java -jar 'my app.jar'  ", ['java', '-jar', 'my app.jar']],
    ['echo "say \\"hi\\"" x\\y', ['echo', 'say "hi"', 'x\\y']],
    ['run --name=""', ['run', '--name=']],
  ];
  it.each(strings)('splits the string %j without a shell', (text, words) => {
    expect(splitCommand(text)).toEqual(words);
    expect(parseProcessConfig(`command: ${JSON.stringify(text)}`).command).toEqual(words);
  });

  // [yaml, the line, what the message says]
  const bad: Array<[string, number | undefined, string]> = [
    ['', undefined, 'the file is empty; write at least the command'],
    ['- node', 1, 'the document must be a mapping with command'],
    ['workingDir: .', 1, "command is missing; add the program that starts the service, e.g. 'command: [node"],
    ['command: []', 1, 'command is empty; give the program and its arguments'],
    ["command: ''", 1, 'command is empty'],
    ['command: [node, {a: 1}]', 1, 'command[1] must be a string; quote it'],
    ['command: "node x | tee log"', 1, "command contains '|', but it runs without a shell; put the pipeline in a script"],
    ['command: "node \'x"', 1, "command cannot be split into words: the quote ' at character 6 is not closed"],
    ['command: [node]\ncomand: [x]', 2, "unknown field 'comand'; the fields are command, workingDir, env, portEnv, healthCheck"],
    ['command: [node]\nworkingdir: x', 2, "unknown field 'workingdir': did you mean 'workingDir'?"],
    ['command: [node]\nenv: [A=1]', 2, "env must be a mapping of names to values, e.g. 'env: {GREETING: hello}'"],
    ['command: [node]\nenv:\n  A-B: 1', 3, "env name 'A-B' is not a variable name"],
    ['command: [node]\nenv:\n  A:', 3, 'env.A has no value'],
    ['command: [node]\nportEnv: 3000', 2, "portEnv '3000' is not a variable name; give the variable your service reads its port from"],
    ['command: [node]\nenv: {PORT: "1"}', 2, 'env.PORT is set, but the runtime puts the port in PORT; remove env.PORT'],
    ['command: [node]\nhealthCheck: /health', 2, "healthCheck must be a mapping, e.g. 'healthCheck: {path: /health"],
    ['command: [node]\nhealthCheck: {path: health}', 2, "healthCheck.path 'health' must start with '/'"],
    [
      'command: [node]\nhealthCheck: {timeout: 3}',
      2,
      "unknown field 'healthCheck.timeout'; the fields are healthCheck.path, healthCheck.timeoutSeconds",
    ],
    ['command: [node]\nhealthCheck: {timeoutSeconds: 0}', 2, 'healthCheck.timeoutSeconds must be a number of seconds from 1 to 3600'],
    ['command: [node]\nhealthCheck: {timeoutSeconds: "10"}', 2, 'healthCheck.timeoutSeconds must be a number'],
    ['command: [node\n', 2, 'not valid YAML'],
  ];
  it.each(bad)('refuses %j naming the file, the line and the fix', (yaml, line, message) => {
    let caught: unknown;
    try {
      parseProcessConfig(yaml, 'deployment/process.yaml at service level');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProcessConfigError);
    const error = caught as ProcessConfigError;
    expect(error.code).toBe(ErrorCode.invalidProcessConfig);
    expect(error.line).toBe(line);
    expect(error.message).toContain(message);
    expect(error.message.startsWith(`deployment/process.yaml at service level${line === undefined ? ':' : ` line ${line}:`}`)).toBe(true);
  });
});
