// The feed kept current: the order stream (Server-Sent Events) while it works, polling the
// list every few seconds when it does not (no stream endpoint, or it fails).

import { api, query } from './api.js';

export const POLL_MS = 3000;
const STREAM_RETRY_MS = 60000;
const PAGE_SIZE = 50;

/** Calls onList(page) with the full list now and after every change; returns stop(). */
export function watchOrders(filters, onList, onError) {
  let stopped = false;
  let source = null;
  let pollTimer = 0;
  let retryTimer = 0;
  let page = { items: [], total: 0 };
  let lastEventId = '';
  // The near feed is ordered by distance: a new order from the stream (which follows the
  // category only) makes the list be read again instead of being put on top.
  const near = Boolean(filters.near);
  const search = query(near ? { category: filters.category } : filters);

  const setMode = (mode) => { document.documentElement.dataset.feedMode = mode; };

  async function refresh() {
    try {
      page = await api(`/api/orders${query({ ...filters, limit: PAGE_SIZE })}`);
      if (!stopped) onList(page);
    } catch (error) {
      if (!stopped) onError(error);
    }
  }

  function poll() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      if (stopped) return;
      if (document.visibilityState !== 'hidden') await refresh();
      poll();
    }, POLL_MS);
  }

  function patch(change) {
    const items = page.items.map((o) => (o.id === change.id ? { ...o, ...change } : o));
    page = { ...page, items: items.filter((o) => o.status === 'active') };
    onList(page);
  }

  function stream() {
    if (stopped || typeof EventSource !== 'function') {
      setMode('poll');
      poll();
      return;
    }
    // After a closed stream (an error answer) start again after the last event seen; a
    // reconnecting EventSource sends Last-Event-ID by itself.
    const resume = lastEventId ? `${search ? '&' : '?'}last_event_id=${lastEventId}` : '';
    source = new EventSource(`/api/orders/stream${search}${resume}`);
    const seen = (event) => { if (event.lastEventId) lastEventId = event.lastEventId; };
    source.addEventListener('open', () => {
      setMode('stream');
      clearTimeout(pollTimer);
      refresh(); // whatever happened before the stream opened
    });
    source.addEventListener('order_created', (event) => {
      seen(event);
      const created = JSON.parse(event.data);
      if (page.items.some((o) => o.id === created.id)) return;
      if (near) { if (created.area) refresh(); return; }
      page = { ...page, items: [created, ...page.items], total: page.total + 1 };
      onList(page);
    });
    source.addEventListener('order_updated', (event) => { seen(event); patch(JSON.parse(event.data)); });
    source.addEventListener('order_closed', (event) => { seen(event); patch(JSON.parse(event.data)); });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CONNECTING) {
        // The stream ended (SSE_MAX_SECONDS, a server restart): the browser reconnects
        // after retry: with Last-Event-ID and the server replays; poll until it is back.
        setMode('poll');
        poll();
        return;
      }
      // A missing endpoint (404) or a failing one: poll, and try the stream again later.
      source.close();
      source = null;
      setMode('poll');
      poll();
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => { clearTimeout(pollTimer); stream(); }, STREAM_RETRY_MS);
    });
  }

  refresh();
  stream();
  return () => {
    stopped = true;
    clearTimeout(pollTimer);
    clearTimeout(retryTimer);
    if (source) source.close();
  };
}
