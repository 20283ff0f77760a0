/** The system resolver as the upstream host policy needs it: every address of a name, as git's resolver would see them. */
import { lookup } from 'node:dns/promises';
import type { ResolveHost } from '@shipmate/core';

/** Every address `host` resolves to (`getaddrinfo`, IPv4 and IPv6, in the resolver's order). */
export const resolveHost: ResolveHost = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
