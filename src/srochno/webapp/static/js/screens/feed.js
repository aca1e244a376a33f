// The feed: active orders, filtered by city and category, kept live.

import { h, mount } from '../dom.js';
import { categoryTitle, errorText, t } from '../i18n.js';
import { watchOrders } from '../live.js';
import { formatLeft, secondsLeft, serverClock, state } from '../state.js';
import { currentPosition, nearParam } from '../geo.js';
import { setMainButton } from '../tg.js';

const FILTERS_KEY = 'srochno.feed';

export function orderCard(order, { href, extra = null } = {}) {
  const now = serverClock(order);
  const leftText = () => (order.status === 'active' ? formatLeft(secondsLeft(order, now)) : '');
  const left = h('span', { class: 'left', text: leftText() });
  const card = h('article', { class: 'card order-card', dataset: { orderId: order.id } },
    h('a', { class: 'card-link', href: href || `#/order/${encodeURIComponent(order.id)}` },
      h('div', { class: 'row' },
        h('span', { class: 'category', text: state.categoryName(order.category) }),
        // The fee is the contact's price: not shown to the owner, nor on an order that can
        // no longer be taken (closed, or every executor's place taken).
        order.is_owner || order.status !== 'active' || order.taken_by_me || order.slots_left <= 0
          ? null
          : h('span', { class: 'price', text: t('price', { n: order.take_price }) })),
      h('p', { class: 'description', text: order.description }),
      h('div', { class: 'row meta' },
        h('span', { class: 'city', text: order.city }),
        order.distance_km === null || order.distance_km === undefined
          ? null
          : h('span', { class: 'distance', text: t('distance', { n: order.distance_km }) }),
        left,
        h('span', { class: 'slots', text: t('slots', { left: order.slots_left, max: order.max_executors }) }))),
    extra);
  card.tick = () => { left.textContent = leftText(); };
  return card;
}

export async function renderFeed(ctx) {
  const saved = JSON.parse(localStorage.getItem(FILTERS_KEY) || '{}');
  const city = h('input', { type: 'search', name: 'city', value: saved.city || '', placeholder: t('feed_city_any'), attrs: { 'aria-label': t('feed_city'), autocomplete: 'address-level2' } });
  const category = h('select', { name: 'category', attrs: { 'aria-label': t('feed_category') } },
    h('option', { value: '', text: t('feed_category_any') }),
    state.categories.map((c) => h('option', { value: c.slug, text: categoryTitle(c), selected: c.slug === saved.category })));
  const near = h('input', { type: 'checkbox', name: 'near', checked: Boolean(saved.near) });
  const nearToggle = h('label', { class: 'choice near-toggle' }, near, h('span', { text: t('feed_near') }));
  const list = h('div', { class: 'list', attrs: { 'aria-live': 'polite' } });
  const status = h('p', { class: 'muted small', text: t('feed_live') });
  mount(ctx.el,
    h('h1', { text: t('feed_title') }),
    h('div', { class: 'filters' }, city, category, nearToggle),
    status,
    list);
  setMainButton(t('feed_post'), () => ctx.navigate('post'));

  let cards = [];
  let stop = null;
  let failing = false;
  let notice = '';  // why the feed is not what was asked (no position for "near me")
  let loaded;
  const firstLoad = new Promise((resolve) => { loaded = resolve; });
  // A failing feed says so where the list is, with a retry, until it loads again.
  const failed = (error) => {
    loaded();
    failing = true;
    if (!ctx.alive()) return;
    status.textContent = '';
    cards = [];
    mount(list, h('div', { class: 'card error-box feed-error', attrs: { role: 'alert' } },
      h('p', { text: errorText(error && error.code) }),
      h('button', { type: 'button', class: 'secondary retry', text: t('retry'), on: { click: start } })));
  };
  const show = (page) => {
    loaded();
    failing = false;
    if (!ctx.alive()) return;
    status.textContent = notice || t('feed_live');
    cards = page.items.map((order) => orderCard(order));
    const filtered = city.value.trim() || category.value;
    mount(list, cards.length ? cards : h('p', { class: 'empty muted', text: filtered ? t('feed_empty_filtered') : t('feed_empty') }));
  };
  const skeletons = () => mount(list, [1, 2, 3].map(() => h('div', { class: 'card order-card skeleton', attrs: { 'aria-hidden': 'true' } })));
  const start = async () => {
    if (stop) stop();
    stop = null;
    notice = '';
    if (!cards.length) skeletons();
    const saving = { city: city.value.trim(), category: category.value, near: near.checked };
    localStorage.setItem(FILTERS_KEY, JSON.stringify(saving));
    let filters = { city: saving.city, category: saving.category };
    if (near.checked) {
      // Near me: the position (Telegram's LocationManager, else the browser's), within the
      // work area's radius; the city when no position is given.
      const position = await currentPosition();
      if (!ctx.alive()) return;
      if (position) {
        const radius = state.me && state.me.area ? state.me.area.radius_km : 10;
        filters = { near: nearParam(position), radius_km: radius, category: saving.category };
      } else {
        near.checked = false;
        notice = t('feed_near_none');
        status.textContent = notice;
      }
    }
    city.disabled = Boolean(filters.near);
    if (stop) stop();
    stop = watchOrders(filters, show, failed);
  }
  let typing = 0;
  city.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(start, 400); });
  category.addEventListener('change', start);
  near.addEventListener('change', start);
  start();
  const ticker = setInterval(() => cards.forEach((card) => card.tick()), 1000);
  await firstLoad;
  return () => { if (stop) stop(); clearInterval(ticker); clearTimeout(typing); };
}
