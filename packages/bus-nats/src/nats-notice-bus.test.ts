import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@shipmate/core';
import type { ReplicaNotice } from '@shipmate/core';
import { startCuttableNatsProxy, testNatsUrl, uniqueNatsName, waitFor } from '@shipmate/testing';
import type { CuttableNatsProxy } from '@shipmate/testing';
import { connect } from 'nats';
import { createNatsNoticeBus } from './nats-notice-bus.js';
import type { NatsNoticeBus, NatsNoticeBusOptions } from './nats-notice-bus.js';

describe('createNatsNoticeBus (real NATS)', () => {
  const teardown: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of teardown.splice(0).reverse()) await step();
  });

  async function open(options: Partial<NatsNoticeBusOptions> & { subjectPrefix: string }): Promise<NatsNoticeBus> {
    const bus = await createNatsNoticeBus({ url: testNatsUrl(), onError: () => {}, ...options });
    teardown.push(() => bus.close());
    return bus;
  }

  /** Records every notice a bus delivers. */
  function record(bus: NatsNoticeBus): ReplicaNotice[] {
    const seen: ReplicaNotice[] = [];
    bus.subscribe((notice) => seen.push(notice));
    return seen;
  }

  it('carries each replica’s notices to the other and never back to the sender', async () => {
    const subjectPrefix = uniqueNatsName('notices');
    const a = await open({ subjectPrefix, replicaId: 'replica-a' });
    const b = await open({ subjectPrefix, replicaId: 'replica-b' });
    const seenByA = record(a);
    const seenByB = record(b);
    a.publish({ kind: 'registry', integrationId: 'from-a' });
    b.publish({ kind: 'tokens' });
    await until('seenByA.length === 1 && seenByB.length === 1', () => seenByA.length === 1 && seenByB.length === 1, 5000);
    // One more round trip each way: had its own notice come back, it would have arrived by now.
    a.publish({ kind: 'answer', project: 'p', triggeredId: 't', eventId: 'e' });
    await until('seenByB.length === 2', () => seenByB.length === 2, 5000);
    expect(seenByB).toEqual([
      { kind: 'registry', integrationId: 'from-a' },
      { kind: 'answer', project: 'p', triggeredId: 't', eventId: 'e' },
    ]);
    expect(seenByA).toEqual([{ kind: 'tokens' }]);
    expect(a.subject).toBe(`${subjectPrefix}.notices`);
  });

  it('does not hear a bus with another subject prefix', async () => {
    const a = await open({ subjectPrefix: uniqueNatsName('notices') });
    const other = await open({ subjectPrefix: uniqueNatsName('notices') });
    const b = await open({ subjectPrefix: a.subject.replace(/\.notices$/, '') });
    const seenByOther = record(other);
    const seenByB = record(b);
    a.publish({ kind: 'tokens' });
    await until('seenByB.length === 1', () => seenByB.length === 1, 5000);
    expect(seenByOther).toEqual([]);
  });

  it('splits an emitted notice too large for one message, as the port asks', async () => {
    const subjectPrefix = uniqueNatsName('notices');
    const a = await open({ subjectPrefix });
    const b = await open({ subjectPrefix });
    const seen = record(b);
    const events = Array.from({ length: 200 }, (_, i) => ({
      id: `event-${i}-${'x'.repeat(40)}`,
      type: 'sh.keptn.event.deployment.triggered',
      source: 'shipyard-controller',
      specversion: '1.0',
      time: '2026-12-05T00:00:00.000Z',
      shkeptncontext: `context-${i}`,
      data: { project: 'project', stage: 'stage', service: 'service' },
    }));
    a.publish({ kind: 'emitted', events });
    await until('all 200 events', () => seen.flatMap((notice) => (notice.kind === 'emitted' ? notice.events : [])).length === 200, 5000);
    expect(seen.length).toBeGreaterThan(1);
  });

  it('ignores and logs what is not a notice, and keeps delivering', async () => {
    const subjectPrefix = uniqueNatsName('notices');
    const errors: string[] = [];
    const bus = await open({ subjectPrefix, onError: (line) => errors.push(line) });
    const seen = record(bus);
    const raw = await connect({ servers: testNatsUrl() });
    teardown.push(() => raw.close());
    raw.publish(bus.subject, 'not json');
    raw.publish(bus.subject, JSON.stringify({ from: 'elsewhere', notice: { kind: 'reboot' } }));
    raw.publish(bus.subject, JSON.stringify({ notice: { kind: 'tokens' } }));
    raw.publish(bus.subject, JSON.stringify({ from: 'elsewhere', notice: { kind: 'owner' } }));
    raw.publish(bus.subject, JSON.stringify({ from: 'elsewhere', notice: { kind: 'tokens' } }));
    await until('seen.length === 1', () => seen.length === 1, 5000);
    expect(seen).toEqual([{ kind: 'tokens' }]);
    expect(errors).toEqual([
      `ignored a message on ${bus.subject}: not JSON`,
      `ignored a message on ${bus.subject}: not a notice (kind "reboot")`,
      `ignored a message on ${bus.subject}: no sender ('from')`,
      `ignored a message on ${bus.subject}: not a notice (kind "owner")`,
    ]);
  });

  it('calls onReconnect after the connection to the server was cut and came back, and delivers again', async () => {
    const proxy: CuttableNatsProxy = await startCuttableNatsProxy(testNatsUrl());
    teardown.push(() => proxy.close());
    const subjectPrefix = uniqueNatsName('notices');
    const errors: string[] = [];
    const cut = await open({
      subjectPrefix,
      url: proxy.url,
      onError: (line) => errors.push(line),
      connection: { reconnectMinMs: 50, reconnectMaxMs: 200 },
    });
    const direct = await open({ subjectPrefix });
    let reconnects = 0;
    const seen: ReplicaNotice[] = [];
    cut.subscribe(
      (notice) => seen.push(notice),
      () => (reconnects += 1),
    );
    await until('proxy.openConnections === 1', () => proxy.openConnections === 1, 5000);
    proxy.cutConnections();
    await until('reconnects === 1', () => reconnects === 1, 10_000);
    expect(errors.some((line) => line.includes('connection lost'))).toBe(true);
    // The resubscription may reach the server a moment after the reconnect event: what is published
    // in between is lost (the port allows it), so publish until one arrives.
    await waitFor(
      'a notice after the reconnect',
      async () => {
        if (seen.length > 0) return true;
        direct.publish({ kind: 'tokens' });
        return undefined;
      },
      5000,
      100,
    );
    expect(seen[0]).toEqual({ kind: 'tokens' });
  });

  it('does not throw from publish after close', async () => {
    const bus = await open({ subjectPrefix: uniqueNatsName('notices') });
    await bus.close();
    expect(() => bus.publish({ kind: 'tokens' })).not.toThrow();
    await bus.close();
  });

  describe('refuses bad options with the field and the fix', () => {
    it.each([
      ['http://nats.example:4222', /^--bus must be a NATS URL starting with nats:\/\/ or tls:\/\/, not http:; e\.g\. nats:\/\//],
      ['nats.example:4222', /^--bus must be a NATS URL starting with nats:\/\/ or tls:\/\//],
      ['', /^--bus is empty: give the NATS server, e\.g\. nats:\/\//],
      ['nats://', /^--bus 'nats:\/\/' names no host/],
    ])('url %j', async (url, message) => {
      const attempt = createNatsNoticeBus({ url, field: '--bus', subjectPrefix: 'x' });
      await expect(attempt).rejects.toMatchObject({ code: ErrorCode.invalidField, message: expect.stringMatching(message) });
    });

    it('a bad subject prefix', async () => {
      await expect(createNatsNoticeBus({ url: testNatsUrl(), subjectPrefix: 'shipmate.>' })).rejects.toMatchObject({
        code: ErrorCode.invalidField,
        message: expect.stringMatching(/^subjectPrefix 'shipmate\.>' is not a NATS subject prefix/),
      });
    });

    it('a server that cannot be reached, without repeating the password', async () => {
      const port = await closedPort();
      await expect(
        createNatsNoticeBus({
          url: `nats://shipmate:s3cret@127.0.0.1:${port}`,
          field: 'SHIPMATE_BUS_URL',
          connection: { connectTimeoutMs: 2000 },
        }),
      ).rejects.toMatchObject({
        code: ErrorCode.busUnavailable,
        message: expect.stringMatching(
          new RegExp(`^SHIPMATE_BUS_URL: cannot connect to NATS at nats://shipmate:\\*\\*\\*@127\\.0\\.0\\.1:${port}: `),
        ),
      });
      await expect(createNatsNoticeBus({ url: `nats://shipmate:s3cret@127.0.0.1:${port}` })).rejects.not.toThrow(/s3cret/);
    });
  });
});

/** Waits until `condition` holds (`what` names it in the timeout's message). */
function until(what: string, condition: () => boolean, timeoutMs: number): Promise<true> {
  return waitFor(what, async () => (condition() ? true : undefined), timeoutMs);
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
