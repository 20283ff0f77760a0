/** Where the agent's own messages go. */

/** A minimal logger; the default writes one line per message to stderr. */
export interface AgentLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Lines like `2026-11-28T05:00:00.000Z warn  <prefix>: message` on stderr. */
export function stderrLogger(prefix: string): AgentLogger {
  const write = (level: string) => (message: string) => {
    process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${prefix}: ${message}\n`);
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** Drops everything (tests). */
export const silentLogger: AgentLogger = Object.freeze({ info() {}, warn() {}, error() {} });
