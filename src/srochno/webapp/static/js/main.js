// Start-up: sign-in data, language, Telegram, and the hash router over the screens.

import { api, query, setInitData } from './api.js';
import { $, h, mount } from './dom.js';
import { language, pickLanguage, setLanguage, t } from './i18n.js';
import { dismissStaleToast, state, toast } from './state.js';
import {
  initBackFallback, initMainFallback, insideTelegram, launchParams, setBackButton, setMainButton,
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
  const [name, ...params] = hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
  return ROUTES[name] ? { name, params } : { name: 'feed', params: [] };
}

function goBack(parent) {
  history.pop();
  const previous = history.pop();
  navigate(previous || `#/${parent}`);
}

async function route() {
  // A sign-in link opened in a tab already showing the page, or the sign-in screen asked
  // for by somebody not signed in: start again with it.
  if (/^#\/signin\/./.test(location.hash) || (location.hash === '#/signin' && !state.web && !insideTelegram)) {
    location.reload();
    return;
  }
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

// The open web: a session cookie from an e-mailed one-time link (#/signin/<token>).
async function webSession() {
  const link = /^#\/signin\/([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (link) {
    window.history.replaceState(null, '', `${location.pathname}${location.search}#/feed`);
    try {
      await api('/api/auth/email/verify', { method: 'POST', body: { token: link[1] } });
    } catch (error) {
      toast(t(error.code === 'sign_in_link_invalid' ? 'signin_link_invalid' : 'signin_failed'), 'error');
      return null;
    }
  }
  try {
    return await api('/api/users/me');
  } catch {
    return null;
  }
}

function webBanner() {
  const banner = $('#banner');
  mount(banner, h('span', { text: `${t('signin_web')} ` }), h('button', {
    type: 'button', class: 'small secondary logout', text: t('signin_logout'),
    on: {
      click: async () => {
        await api('/api/auth/logout', { method: 'POST' }).catch(() => null);
        location.replace(`${location.pathname}#/feed`);
        location.reload();
      },
    },
  }));
  banner.hidden = false;
}

function renderSignIn() {
  const email = h('input', { type: 'email', name: 'email', required: true, attrs: { autocomplete: 'email', 'aria-label': t('signin_email') } });
  const status = h('p', { class: 'muted signin-status', attrs: { role: 'status' } });
  const form = h('form', {
    class: 'card signin',
    on: {
      submit: async (event) => {
        event.preventDefault();
        try {
          await api('/api/auth/email', { method: 'POST', body: { email: email.value.trim(), lang: language() } });
          status.textContent = t('signin_sent');
        } catch (error) {
          status.textContent = t(error.code === 'rate_limited' ? 'signin_limited' : 'signin_failed');
        }
      },
    },
  }, h('h1', { text: t('signin_title') }), h('p', { text: t('signin_lead') }), email,
  h('button', { type: 'submit', text: t('signin_send') }), status);
  mount($('#screen'), form);
  $('#tabs').hidden = true;
  window.addEventListener('hashchange', () => {
    if (/^#\/signin\/./.test(location.hash)) location.reload();
  });
  document.documentElement.dataset.screen = 'signin';
  document.documentElement.dataset.ready = '1';
}

async function signIn() {
  if (insideTelegram) {
    setInitData(WebApp.initData);
    return WebApp.initData;
  }
  const me = await webSession();
  if (me) {
    state.web = me;
    setLanguage(pickLanguage(me.language_code));
    webBanner();
    return '';
  }
  if (state.devTools && !location.hash.startsWith('#/signin')) {
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
  if (location.hash.startsWith('#/signin')) return null;
  // Anybody may look at the public feed; taking, posting and the profile need a sign-in.
  const banner = $('#banner');
  mount(banner, h('span', { text: `${t('outside_telegram')} ` }), h('button', {
    type: 'button', class: 'small secondary signin-open', text: t('signin_title'),
    on: { click: () => { location.replace(`${location.pathname}#/signin`); location.reload(); } },
  }));
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
  document.title = t('app_name');
  if (initData === null) {
    renderSignIn();  // outside Telegram, not signed in
    return;
  }
  const user = telegramUser(initData);
  if (user) setLanguage(pickLanguage(user.language_code));
  state.userId = user ? user.id : (state.web ? state.web.id : null);
  renderTabs();
  // The catalog is needed to draw any order; the profile is not: it arrives meanwhile.
  if (initData || state.web) state.refreshMe().catch(() => null);
  state.categories = await api('/api/categories').catch(() => []);
  // A Telegram client puts its launch parameters in the hash (#tgWebAppData=…): they are no
  // route. The start parameter order_<id> opens that order; otherwise the feed.
  const param = startParam();
  const launch = launchParams();
  if (!location.hash || launch !== null) {
    let target = launch && launch.path.startsWith('/') ? `#${launch.path}` : '#/feed';
    if (/^order_[A-Za-z0-9_-]{1,64}$/.test(param)) target = `#/order/${param.slice(6)}`;
    window.history.replaceState(null, '', `${location.pathname}${location.search}${target}`);
  }
  window.addEventListener('hashchange', route);
  await route();
  document.documentElement.dataset.lang = language();
}

start().catch((error) => toast(String(error), 'error'));
