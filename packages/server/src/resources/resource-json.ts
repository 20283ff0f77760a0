/**
 * The JSON body of `GET .../resource/{resourceURI}`: `{"resourceURI", "resourceContent" (base64),
 * "metadata"}`, in that order, as `JSON.stringify` of that object would write it.
 *
 * Small files go as one string. Larger ones go as a stream of pieces: the base64 of each
 * `CHUNK_BYTES` slice of the file (a multiple of 3 bytes, so the pieces join into the base64 of the
 * whole), with the exact `Content-Length`. Written whole, a file's base64 and the JSON around it
 * were two strings of 4/3 its size each: from about 96 KiB on, V8 puts such strings in its
 * large-object space, which only a full collection frees (a GET of a 10 MiB file, the default
 * SHIPMATE_MAX_RESOURCE_BYTES, made two of 13.3 MiB). The pieces are 64 KiB strings, which the
 * young generation's scavenges free: the 300 GETs of a 100 KiB file one after the other in bench
 * (f) raised the server's RSS by 13 MiB instead of 35 (docs/architecture.md).
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { ResourceRead } from './resource-service.js';

/** A body for Fastify's `reply.send`, with its length in bytes. */
export interface ResourceJson {
  body: string | Readable;
  bytes: number;
}

/** Bytes of the file per piece of the stream (a multiple of 3; its base64 is 64 KiB). */
export const CHUNK_BYTES = 48 * 1024;

/** Length of the base64 of `bytes` bytes (padded). */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** The body of one resource: a string up to `CHUNK_BYTES` of content, else a stream. */
export function resourceJson(read: ResourceRead): ResourceJson {
  const head = `{"resourceURI":${JSON.stringify(read.resourceURI)},"resourceContent":"`;
  const tail = `","metadata":${JSON.stringify(read.metadata)}}`;
  const bytes = Buffer.byteLength(head) + base64Length(read.content.length) + Buffer.byteLength(tail);
  if (read.content.length <= CHUNK_BYTES) return { body: head + read.content.toString('base64') + tail, bytes };
  return { body: Readable.from(pieces(head, read.content, tail)), bytes };
}

function* pieces(head: string, content: Buffer, tail: string): Generator<string> {
  yield head;
  for (let at = 0; at < content.length; at += CHUNK_BYTES) yield content.subarray(at, at + CHUNK_BYTES).toString('base64');
  yield tail;
}

/**
 * Sends the body of `read` as it is: the route's response schema documents it, and the
 * serializer, which would only write the same JSON again, is left out.
 */
export function sendResourceJson(reply: FastifyReply, read: ResourceRead): FastifyReply {
  const { body, bytes } = resourceJson(read);
  return reply.type('application/json; charset=utf-8').header('content-length', bytes).send(body);
}
