/**
 * Masks secret values as `***` in what the webhook-service writes (messages, `.finished` data,
 * log lines), also in the spellings a value takes on its way through a request: URL-encoded
 * (either hex case, `+` for spaces in forms) and JSON-escaped (an echoing endpoint returns it
 * inside a JSON string). Pure: no I/O.
 */

/** The mask Keptn's webhook-service used. */
export const MASK = '***';

/** Masks the secrets it was made with. */
export interface SecretMasker {
  /** `text` with every spelling of every secret replaced by {@link MASK}. */
  text(text: string): string;
  /** A deep copy of `value` with every string (keys included) masked. */
  value(value: unknown): unknown;
}

function spellings(secret: string): string[] {
  const component = encodeURIComponent(secret);
  const json = JSON.stringify(secret).slice(1, -1);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const forms = [secret, component, encodeURI(secret), form, json];
  // Percent-encoding is case-insensitive: %2F and %2f.
  for (const encoded of [component, form]) forms.push(encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  return forms;
}

/** A masker for `secrets` (empty values are ignored). */
export function secretMasker(secrets: Iterable<string>): SecretMasker {
  // Longest first, so a secret that contains another is masked whole.
  const forms = [...new Set([...secrets].filter((secret) => secret !== '').flatMap(spellings))].sort((a, b) => b.length - a.length);
  const text = (input: string): string => forms.reduce((out, form) => out.split(form).join(MASK), input);
  const value = (input: unknown): unknown => {
    if (typeof input === 'string') return text(input);
    if (Array.isArray(input)) return input.map(value);
    if (input !== null && typeof input === 'object') {
      return Object.fromEntries(Object.entries(input as Record<string, unknown>).map(([key, item]) => [text(key), value(item)]));
    }
    return input;
  };
  return { text, value };
}
