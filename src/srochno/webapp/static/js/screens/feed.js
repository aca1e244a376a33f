// The feed: active orders, filtered by city and category, kept live.

import { h, mount } from '../dom.js';
import { categoryTitle, t } from '../i18n.js';
import { watchOrders } from '../live.js';
import { formatLeft, secondsLeft, serverClock, state } from '../state.js';
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
        h('span', { class: 'price', text: t('price', { n: order.take_price }) })),
      h('p', { class: 'description', text: order.description }),
      h('div', { class: 'row meta' },
        h('span', { class: 'city', text: order.city }),
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
  const list = h('div', { class: 'list', attrs: { 'aria-live': 'polite' } });
  const status = h('p', { class: 'muted small', text: t('feed_live') });
  mount(ctx.el,
    h('h1', { text: t('feed_title') }),
    h('div', { class: 'filters' }, city, category),
    status,
    list);
  setMainButton(t('feed_post'), () => ctx.navigate('post'));

  let cards = [];
  let stop = null;
  let failing = false;
  let loaded;
  const firstLoad = new Promise((resolve) => { loaded = resolve; });
  const failed = (error) => {
    loaded();
    if (!failing && ctx.alive()) state.showError(error);
    failing = true;
  };
  const show = (page) => {
    loaded();
    failing = false;
    if (!ctx.alive()) return;
    cards = page.items.map((order) => orderCard(order));
    mount(list, cards.length ? cards : h('p', { class: 'empty muted', text: t('feed_empty') }));
  };
  const start = () => {
    if (stop) stop();
    const filters = { city: city.value.trim(), category: category.value };
    localStorage.setItem(FILTERS_KEY, JSON.stringify(filters));
    stop = watchOrders(filters, show, failed);
  };
  let typing = 0;
  city.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(start, 400); });
  category.addEventListener('change', start);
  start();
  const ticker = setInterval(() => cards.forEach((card) => card.tick()), 1000);
  await firstLoad;
  return () => { stop(); clearInterval(ticker); clearTimeout(typing); };
}
