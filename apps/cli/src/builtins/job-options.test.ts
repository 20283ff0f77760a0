import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { jobOptionsFromEnv } from './job-options.js';

describe('jobOptionsFromEnv', () => {
  it('has defaults, and passes on only PATH, HOME and the other listed variables', () => {
    const options = jobOptionsFromEnv({
      PATH: '/bin',
      HOME: '/home/p',
      SHIPMATE_TOKEN: 'secret',
      KEPTN_API_TOKEN: 'token',
      AWS_SECRET_ACCESS_KEY: 'x',
    });
    expect(options).toMatchObject({
      jobDir: '.shipmate-plane/jobs',
      maxLogBytes: 16384,
      killGraceMs: 5000,
      keepFailedWorkDirs: false,
      baseEnv: { PATH: '/bin', HOME: '/home/p' },
    });
    expect(Object.keys(options.baseEnv ?? {})).toEqual(['PATH', 'HOME']);
  });

  it('reads every variable', () => {
    const options = jobOptionsFromEnv({
      SHIPMATE_JOB_DIR: '/var/lib/shipmate/jobs',
      SHIPMATE_JOB_MAX_LOG_BYTES: '4096',
      SHIPMATE_JOB_KILL_GRACE: '2s',
      SHIPMATE_JOB_KEEP_FAILED: 'true',
      SHIPMATE_JOB_PASS_ENV: 'JAVA_HOME, GOPATH',
      JAVA_HOME: '/opt/java',
    });
    expect(options).toMatchObject({
      jobDir: '/var/lib/shipmate/jobs',
      maxLogBytes: 4096,
      killGraceMs: 2000,
      keepFailedWorkDirs: true,
      baseEnv: { JAVA_HOME: '/opt/java' },
    });
  });

  // [env, message]
  const bad: Array<[Record<string, string>, string]> = [
    [{ SHIPMATE_JOB_MAX_LOG_BYTES: '100' }, "SHIPMATE_JOB_MAX_LOG_BYTES='100' is not valid: give a whole number from 1024 to 49152"],
    [{ SHIPMATE_JOB_MAX_LOG_BYTES: 'lots' }, 'SHIPMATE_JOB_MAX_LOG_BYTES'],
    [{ SHIPMATE_JOB_KILL_GRACE: 'soon' }, 'SHIPMATE_JOB_KILL_GRACE'],
    [{ SHIPMATE_JOB_KEEP_FAILED: 'maybe' }, "SHIPMATE_JOB_KEEP_FAILED='maybe' is not valid: give true or false"],
    [{ SHIPMATE_JOB_PASS_ENV: 'SHIPMATE_TOKEN' }, "'SHIPMATE_TOKEN' is not a variable a task may inherit"],
    [{ SHIPMATE_JOB_PASS_ENV: 'JAVA_HOME,KEPTN_API_TOKEN' }, "'KEPTN_API_TOKEN' is not a variable a task may inherit"],
    [{ SHIPMATE_JOB_PASS_ENV: 'BAD-NAME' }, "'BAD-NAME' is not a variable a task may inherit"],
  ];
  it.each(bad)('refuses %j', (env, message) => {
    let caught: unknown;
    try {
      jobOptionsFromEnv(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toContain(message);
  });
});
