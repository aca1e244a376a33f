// The service worker of the open web (SPEC §23), at scope /app/: the offline shell and
// Web Push. It caches only the page's own files (SHELL, filled in by the server with its
// version): never an API answer, so never an order, a contact or a profile.

const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const CACHE = `srochno-shell-${VERSION}`;
const PREFIX = 'srochno-shell-';
const SCOPE = self.registration.scope;
const SHELL_URLS = new Set(SHELL.map((path) => new URL(path, SCOPE).href));

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL.map((path) => new Request(new URL(path, SCOPE), { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

// The shell's key of a request, or null: what is not the shell goes to the network only.
function shellKey(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  if (request.mode === 'navigate' && url.pathname === new URL(SCOPE).pathname) return SCOPE;
  url.search = '';
  url.hash = '';
  return SHELL_URLS.has(url.href) ? url.href : null;
}

// The network first (the page is always the newest online), the cache when offline.
self.addEventListener('fetch', (event) => {
  const key = shellKey(event.request);
  if (key === null) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(event.request);
      if (response.ok && response.type === 'basic') await cache.put(key, response.clone());
      return response;
    } catch (error) {
      const cached = await cache.match(key);
      if (cached) return cached;
      throw error;
    }
  })());
});

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = typeof data.title === 'string' && data.title ? data.title : 'Срочно';
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof data.body === 'string' ? data.body : '',
    tag: typeof data.tag === 'string' ? data.tag : undefined,
    icon: new URL('icons/icon-192.png', SCOPE).href,
    badge: new URL('icons/icon-192.png', SCOPE).href,
    data: { url: typeof data.url === 'string' ? data.url : './' },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || './', SCOPE);
  if (!target.href.startsWith(SCOPE)) return;  // only the app's own pages
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of windows) {
      if (client.url.startsWith(SCOPE)) {
        await client.focus();
        // Only a window this worker controls can be navigated (not yet one opened before
        // it activated): such a window stays, and the order opens in a new one.
        const navigated = await client.navigate(target.href).catch(() => null);
        if (navigated) return navigated;
        break;
      }
    }
    return self.clients.openWindow(target.href);
  })());
});

// The browser renewed the subscription: tell the server (the session cookie signs it).
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const headers = { 'Content-Type': 'application/json', 'X-Srochno-CSRF': '1' };
    const old = event.oldSubscription;
    let fresh = event.newSubscription;
    if (!fresh && old) {
      fresh = await self.registration.pushManager.subscribe(old.options).catch(() => null);
    }
    if (fresh) {
      await fetch('/api/users/me/push-subscriptions', {
        method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(fresh.toJSON()),
      }).catch(() => null);
    }
    if (old && (!fresh || old.endpoint !== fresh.endpoint)) {
      await fetch('/api/users/me/push-subscriptions', {
        method: 'DELETE', credentials: 'same-origin', headers, body: JSON.stringify({ endpoint: old.endpoint }),
      }).catch(() => null);
    }
  })());
});
