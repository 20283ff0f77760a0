import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, base64Length, resourceJson } from './resource-json.js';
import type { ResourceRead } from './resource-service.js';

async function text(body: string | Readable): Promise<string> {
  if (typeof body === 'string') return body;
  let all = '';
  for await (const piece of body) all += typeof piece === 'string' ? piece : (piece as Buffer).toString('utf8');
  return all;
}

const read = (content: Buffer, resourceURI = 'helm/carts.tgz'): ResourceRead => ({
  resourceURI,
  content,
  metadata: { upstreamURL: 'https://git.example/shop.git', version: 'a'.repeat(40) },
});

/** What the route sent before: JSON.stringify of Keptn's resource object. */
const expected = (r: ResourceRead) =>
  JSON.stringify({ resourceURI: r.resourceURI, resourceContent: r.content.toString('base64'), metadata: r.metadata });

describe('resourceJson', () => {
  it.each([0, 1, 2, 3, 2048, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2 * CHUNK_BYTES + 2, 100 * 1024, 3 * 1024 * 1024 + 7])(
    'writes the JSON of a %i-byte file byte for byte as JSON.stringify, with its exact length',
    async (size) => {
      const r = read(randomBytes(size));
      const { body, bytes } = resourceJson(r);
      expect(typeof body === 'string').toBe(size <= CHUNK_BYTES);
      const written = await text(body);
      expect(written).toBe(expected(r));
      expect(bytes).toBe(Buffer.byteLength(written));
    },
  );

  it('counts the bytes of a URI and an upstream URL that are not ASCII', async () => {
    const r = {
      ...read(randomBytes(CHUNK_BYTES + 5), 'Größe/ファイル "1".txt'),
      metadata: { upstreamURL: 'https://ä.example/x', version: 'v' },
    };
    const { body, bytes } = resourceJson(r);
    const written = await text(body);
    expect(JSON.parse(written)).toEqual({
      resourceURI: r.resourceURI,
      resourceContent: r.content.toString('base64'),
      metadata: r.metadata,
    });
    expect(bytes).toBe(Buffer.byteLength(written));
  });

  it('cuts the file at multiples of 3 bytes, so every piece but the last has no padding', async () => {
    expect(CHUNK_BYTES % 3).toBe(0);
    const { body } = resourceJson(read(randomBytes(2 * CHUNK_BYTES + 1)));
    const pieces: string[] = [];
    for await (const piece of body as Readable) pieces.push(String(piece));
    expect(pieces).toHaveLength(5); // head, three pieces of content, tail
    expect(pieces.slice(1, 3).map((p) => p.length)).toEqual([base64Length(CHUNK_BYTES), base64Length(CHUNK_BYTES)]);
    expect(pieces.slice(1, 3).some((p) => p.includes('='))).toBe(false);
    expect(pieces[3]).toMatch(/==$/);
  });

  it('gives the length of padded base64', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(base64Length)).toEqual([0, 4, 4, 4, 8, 8, 8]);
  });
});
