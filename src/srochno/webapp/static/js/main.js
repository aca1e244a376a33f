// Start-up: sign-in data, language, Telegram, and the hash router over the screens.

import { api, query, setInitData } from './api.js';
import { $, h, mount } from './dom.js';
import { language, pickLanguage, setLanguage, t } from './i18n.js';
import { dismissStaleToast, state, toast } from './state.js';
import {
  initBackFallback, initMainFallback, insideTelegram, setBackButton, setMainButton,
  startParam, startTelegram, telegramUser, WebApp,
} from './tg.js';
import * as balance from './screens/balance.js';
import * as feed from './screens/feed.js';
import * as mine from './screens/mine.js';
import * as order from './screens/order.js';
import * as post from './screens/post.js';
import * as profile from './screens/profile.js';
import * as takes from './screens/takes.js';

// route name → [screen, parent route for the back button (null: a tab)]
const ROUTES = {
  feed: [feed.renderFeed, null],
  order: [order.renderOrder, 'feed'],
  post: [post.renderPost, 'feed'],
  mine: [mine.renderMine, null],
  rate: [mine.renderRate, 'mine'],
  takes: [takes.renderTakes, null],
  complain: [takes.renderComplaint, 'takes'],
  balance: [balance.renderBalance, null],
  profile: [profile.renderProfile, null],
  user: [profile.renderUser, 'feed'],
};
const TABS = ['feed', 'mine', 'takes', 'balance', 'profile'];

let generation = 0;
let cleanup = null;
let history = [];

export function navigate(hash) {
  location.hash = hash.startsWith('#') ? hash : `#/${hash}`;
}

function parse(hash) {
  const [name, ...params] = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return ROUTES[name] ? { name, params } : { name: 'feed', params: [] };
}

function goBack(parent) {
  history.pop();
  const previous = history.pop();
  navigate(previous || `#/${parent}`);
}

async function route() {
  const { name, params } = parse(location.hash);
  history.push(location.hash || '#/feed');
  if (history.length > 20) history = history.slice(-20);
  const [render, parent] = ROUTES[name];
  if (cleanup) cleanup();
  cleanup = null;
  const mine = ++generation;
  dismissStaleToast();
  setMainButton(null);
  setBackButton(parent ? () => goBack(parent) : null);
  for (const tab of document.querySelectorAll('#tabs a')) {
    tab.classList.toggle('active', tab.dataset.tab === (parent || name));
  }
  const el = $('#screen');
  mount(el, h('p', { class: 'muted', text: t('loading') }));
  window.scrollTo(0, 0);
  const ctx = { el, params, navigate, alive: () => mine === generation };
  try {
    cleanup = (await render(ctx)) || null;
  } catch (error) {
    if (!ctx.alive()) return;
    state.showError(error, el);
  }
  document.documentElement.dataset.screen = name;
  if (!document.documentElement.dataset.ready) {
    document.documentElement.dataset.ready = '1';
    performance.mark('srochno-usable');
  }
}

function renderTabs() {
  mount($('#tabs'), TABS.map((tab) => h('a', { href: `#/${tab}`, dataset: { tab }, text: t(`tab_${tab}`) })));
}

function devIdentity() {
  const search = new URLSearchParams(location.search);
  const saved = JSON.parse(localStorage.getItem('srochno.dev') || '{}');
  const pick = (key, fallback) => search.get(`dev_${key}`) || saved[key] || fallback;
  const identity = { user: pick('user', '1'), name: pick('name', ''), lang: pick('lang', navigator.language || 'ru') };
  localStorage.setItem('srochno.dev', JSON.stringify(identity));
  return identity;
}

async function devInitData(identity) {
  const answer = await api(`/api/dev/init-data${query({
    user_id: identity.user, first_name: identity.name, language_code: identity.lang.split(/[-_]/)[0],
  })}`);
  return answer.init_data;
}

function renderDevBanner(identity) {
  const input = h('input', { type: 'number', min: 1, value: identity.user, attrs: { 'aria-label': 'user id' } });
  const banner = $('#banner');
  mount(banner, h('span', { text: `${t('dev_banner')} ` }), input, h('button', {
    type: 'button',
    text: t('dev_switch'),
    on: {
      click: () => {
        localStorage.setItem('srochno.dev', JSON.stringify({ ...identity, user: input.value }));
        location.search = '';
      },
    },
  }));
  banner.hidden = false;
}

async function signIn() {
  if (insideTelegram) {
    setInitData(WebApp.initData);
    return WebApp.initData;
  }
  if (state.devTools) {
    const identity = devIdentity();
    try {
      const initData = await devInitData(identity);
      setInitData(initData, () => devInitData(identity));
      setLanguage(pickLanguage(telegramUser(initData)?.language_code));
      renderDevBanner(identity);
      return initData;
    } catch {
      // the endpoint is not there: fall through to the plain banner
    }
  }
  setLanguage(pickLanguage(navigator.language));
  const banner = $('#banner');
  mount(banner, h('span', { text: t('outside_telegram') }));
  banner.hidden = false;
  return '';
}

async function start() {
  state.devTools = document.documentElement.dataset.devTools === 'on';
  const topups = /^(\d+)-(\d+)$/.exec(document.documentElement.dataset.topups || '');
  state.topups = topups ? { min: Number(topups[1]), max: Number(topups[2]) } : null;
  startTelegram();
  initMainFallback();
  initBackFallback();
  const early = insideTelegram ? WebApp.initData : '';
  setLanguage(pickLanguage(telegramUser(early)?.language_code));
  const initData = await signIn();
  const user = telegramUser(initData);
  if (user) setLanguage(pickLanguage(user.language_code));
  state.userId = user ? user.id : null;
  document.title = t('app_name');
  renderTabs();
  // The catalog is needed to draw any order; the profile is not: it arrives meanwhile.
  if (initData) state.refreshMe().catch(() => null);
  state.categories = await api('/api/categories').catch(() => []);
  const param = startParam();
  if (!location.hash && param.startsWith('order_')) navigate(`order/${param.slice(6)}`);
  window.addEventListener('hashchange', route);
  await route();
  document.documentElement.dataset.lang = language();
}

start().catch((error) => toast(String(error), 'error'));
