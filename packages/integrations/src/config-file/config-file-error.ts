/**
 * A configuration file (slo.yaml, webhook.yaml, remediation.yaml, sli.yaml, job/config.yaml,
 * deployment/process.yaml, …) that cannot be used: the message names the file (when the caller
 * gives it), the line of the offending node (when known) and the reason with its fix. The
 * integrations turn it into a task that ends `errored`/`fail` with this message.
 */
import { InputError } from '@shipmate/core';
import type { ErrorCode } from '@shipmate/core';

/** A refused configuration file. */
export class ConfigFileError extends InputError {
  /** 1-based line of the offending node, when known. */
  readonly line: number | undefined;

  constructor(code: ErrorCode, where: string | undefined, line: number | undefined, reason: string) {
    const at = [where, line === undefined ? undefined : `line ${line}`].filter((part) => part !== undefined && part !== '').join(' ');
    super(code, at === '' ? reason : `${at}: ${reason}`);
    this.line = line;
  }
}
