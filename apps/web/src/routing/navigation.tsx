/** Client-side navigation with the History API: real links (open in a new tab works), no reloads. */
import { useMemo, useSyncExternalStore } from 'react';
import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';
import { parseRoute, routeHref } from './route';
import type { Route } from './route';

const NAVIGATED = 'shipmate:navigated';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

const locationKey = () => `${window.location.pathname}${window.location.search}`;

/** Goes to `href` without a reload; `replace` keeps the history length (filters typed into a form). */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (href === locationKey()) return;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  const key = useSyncExternalStore(subscribe, locationKey);
  return useMemo(() => {
    const [pathname = '', search = ''] = key.split('?');
    return parseRoute(pathname, search);
  }, [key]);
}

/** Props of {@link Link}. */
export interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  to: Route;
  children: ReactNode;
}

/** A link to a route: a plain `<a href>` whose plain left click navigates in the app. */
export function Link({ to, children, onClick, ...rest }: LinkProps) {
  const href = routeHref(to);
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={follow} {...rest}>
      {children}
    </a>
  );
}
