import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from './route';
import type { Route } from './route';

describe('routes', () => {
  it.each<[string, string, Route]>([
    ['/bridge', '', { view: 'projects' }],
    ['/bridge/', '', { view: 'projects' }],
    ['/bridge/dashboard', '', { view: 'projects' }],
    ['/bridge/project/shop', '', { view: 'environment', project: 'shop' }],
    [
      '/bridge/project/shop/sequence',
      '?stage=dev&state=started&x=1',
      { view: 'sequences', project: 'shop', filters: { stage: 'dev', state: 'started' } },
    ],
    ['/bridge/project/shop/sequence/a%2Fb', '', { view: 'sequence', project: 'shop', keptnContext: 'a/b' }],
    ['/bridge/project/shop/approval', '', { view: 'approvals', project: 'shop' }],
    ['/bridge/project/shop/settings', '', { view: 'settings', project: 'shop' }],
    ['/bridge/project/shop/settings/x', '', { view: 'not-found', path: '/bridge/project/shop/settings/x' }],
    [
      '/bridge/project/shop/evaluation',
      '?stage=dev&service=carts&x=1',
      { view: 'evaluations', project: 'shop', scope: { stage: 'dev', service: 'carts' } },
    ],
    ['/bridge/integrations', '', { view: 'integrations' }],
    ['/bridge/secrets/', '', { view: 'secrets' }],
    ['/bridge/secrets/db', '', { view: 'not-found', path: '/bridge/secrets/db' }],
    ['/bridge/project/%E0%A4%A', '', { view: 'not-found', path: '/bridge/project/%E0%A4%A' }],
    ['/elsewhere', '', { view: 'not-found', path: '/elsewhere' }],
  ])('%s%s', (pathname, search, route) => {
    expect(parseRoute(pathname, search)).toEqual(route);
  });

  it.each<Route>([
    { view: 'projects' },
    { view: 'environment', project: 'my shop' },
    { view: 'sequences', project: 'shop', filters: { service: 'carts', name: 'delivery' } },
    { view: 'sequences', project: 'shop', filters: {} },
    { view: 'sequence', project: 'shop', keptnContext: '0b7f-11' },
    { view: 'approvals', project: 'shop' },
    { view: 'evaluations', project: 'shop', scope: { stage: 'dev', service: 'carts' } },
    { view: 'evaluations', project: 'shop', scope: {} },
    { view: 'settings', project: 'a/b' },
    { view: 'integrations' },
    { view: 'secrets' },
  ])('routeHref(%j) parses back to the same route', (route) => {
    const [pathname = '', search = ''] = routeHref(route).split('?');
    expect(parseRoute(pathname, search)).toEqual(route);
  });
});
