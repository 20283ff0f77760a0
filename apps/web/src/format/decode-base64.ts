/** The UTF-8 text of base64 (resource contents, SLO files); undefined when it is not base64. */
export function decodeBase64(base64: string): string | undefined {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)));
  } catch {
    return undefined;
  }
}
