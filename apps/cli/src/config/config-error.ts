/** Thrown for a configuration value that cannot be used; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
