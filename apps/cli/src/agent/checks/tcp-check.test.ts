import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkTcp, hostPort } from './tcp-check.js';

describe('checkTcp', () => {
  it('connects to a listening port and returns the address used', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await checkTcp(['127.0.0.1'], port, 2000)).toMatchObject({ ok: true, value: '127.0.0.1' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports a refused port with the exposure fix', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const result = await checkTcp(['127.0.0.1'], port, 2000);
    expect(result).toMatchObject({
      ok: false,
      cause: `nothing listens on 127.0.0.1:${port} (connection refused): a wrong port, or the control plane is not exposed there`,
    });
    if (!result.ok) expect(result.fix).toMatch(/remote control plane mode/);
  });

  it('brackets IPv6 addresses', () => {
    expect(hostPort('::1', 443)).toBe('[::1]:443');
    expect(hostPort('cp.example.com', 443)).toBe('cp.example.com:443');
  });
});
