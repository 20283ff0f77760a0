/**
 * The job-executor-service's settings from the environment (only apps read it):
 * SHIPMATE_JOB_DIR (where tasks get their working directories, default `.shipmate-plane/jobs`
 * below the plane's working directory), SHIPMATE_JOB_MAX_LOG_BYTES (output kept per task, 1024 to
 * 49152, default 16384), SHIPMATE_JOB_KILL_GRACE (SIGTERM to SIGKILL, a Go duration, default 5s),
 * SHIPMATE_JOB_KEEP_FAILED (keep a failed task's directory, default false) and SHIPMATE_JOB_PASS_ENV
 * (names of further variables the tasks inherit besides PATH, HOME, USER, LOGNAME, LANG, LC_ALL,
 * TZ and TMPDIR; nothing else of the plane's environment, its token included, reaches a task, and
 * SHIPMATE_* and KEPTN_API_TOKEN cannot be passed).
 */
import { stderrLogger } from '@shipmate/agent-sdk';
import { DEFAULT_JOB_DIR, JOB_EXECUTOR_SERVICE, MAX_JOB_MESSAGE_BYTES } from '@shipmate/integrations';
import type { JobOptions } from '@shipmate/integrations';
import { ConfigError } from '../config/config-error.js';
import { booleanValue, durationValue, integerValue, listValue } from '../config/env-values.js';

/** What every task inherits from the plane's environment when set. */
export const JOB_INHERITED_ENV: readonly string[] = Object.freeze(['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR']);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The job options from `env`. */
export function jobOptionsFromEnv(env: NodeJS.ProcessEnv): JobOptions {
  const passed = listValue(env.SHIPMATE_JOB_PASS_ENV);
  const bad = passed.find((name) => !ENV_NAME.test(name) || name.startsWith('SHIPMATE_') || name === 'KEPTN_API_TOKEN');
  if (bad !== undefined)
    throw new ConfigError(
      `SHIPMATE_JOB_PASS_ENV='${env.SHIPMATE_JOB_PASS_ENV}' is not valid: '${bad}' is not a variable a task may inherit; give names such as JAVA_HOME,GOPATH (SHIPMATE_* and KEPTN_API_TOKEN are never passed)`,
    );
  const baseEnv: Record<string, string> = {};
  for (const name of [...JOB_INHERITED_ENV, ...passed]) {
    const value = env[name];
    if (value !== undefined) baseEnv[name] = value;
  }
  const jobDir = env.SHIPMATE_JOB_DIR === undefined || env.SHIPMATE_JOB_DIR.trim() === '' ? DEFAULT_JOB_DIR : env.SHIPMATE_JOB_DIR;
  return {
    jobDir,
    maxLogBytes: integerValue(env.SHIPMATE_JOB_MAX_LOG_BYTES, 16 * 1024, 'SHIPMATE_JOB_MAX_LOG_BYTES', 1024, MAX_JOB_MESSAGE_BYTES),
    killGraceMs: durationValue(env.SHIPMATE_JOB_KILL_GRACE, '5s', 'SHIPMATE_JOB_KILL_GRACE'),
    keepFailedWorkDirs: booleanValue(env.SHIPMATE_JOB_KEEP_FAILED, false, 'SHIPMATE_JOB_KEEP_FAILED'),
    baseEnv,
    logger: stderrLogger(JOB_EXECUTOR_SERVICE),
  };
}
