// What the screens share: the signed-in profile, the category catalog, messages.

import { api } from './api.js';
import { $, h, mount } from './dom.js';
import { categoryTitle, errorText, t } from './i18n.js';

export const state = {
  devTools: false,
  web: null, // the profile of a web session (outside Telegram, signed in by e-mail)
  topups: null, // { min, max } in rubles when YooKassa top-ups are offered
  userId: null,
  me: null,
  categories: [],

  async refreshMe() {
    state.me = await api('/api/users/me');
    return state.me;
  },

  categoryName(slug) {
    const category = state.categories.find((c) => c.slug === slug);
    return category ? categoryTitle(category) : slug;
  },

  /** An error in the screen (with a retry) or, with no element, as a toast. */
  showError(error, el = null) {
    const text = errorText(error && error.code);
    if (!el) {
      toast(text, 'error');
      return;
    }
    mount(el, h('div', { class: 'card error-box', attrs: { role: 'alert' } },
      h('p', { text }),
      h('button', { type: 'button', class: 'secondary', text: t('retry'), on: { click: () => window.dispatchEvent(new HashChangeEvent('hashchange')) } })));
  },
};

let toastTimer = 0;
let toastShownAt = 0;
let screensSinceToast = 0;

/** A message belongs to the screen it was shown on, or to the move that led to the next. */
export function dismissStaleToast() {
  screensSinceToast += 1;
  if (screensSinceToast > 1 || Date.now() - toastShownAt > 1000) $('#toast').hidden = true;
}

export function toast(text, kind = 'info') {
  const el = $('#toast');
  el.textContent = text;
  el.className = `toast ${kind}`;
  el.hidden = false;
  toastShownAt = Date.now();
  screensSinceToast = 0;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 4000);
}

/** Local clock offset from the server's, so countdowns follow the server's time. */
export function serverClock(order) {
  const offset = Date.parse(order.server_time) - Date.now();
  return () => Date.now() + offset;
}

export function secondsLeft(order, now) {
  if (order.status !== 'active') return 0;
  return Math.max(0, Math.floor((Date.parse(order.expires_at) - now()) / 1000));
}

export function formatLeft(seconds) {
  if (seconds >= 60) return t('minutes_left', { n: Math.ceil(seconds / 60) });
  return t('time_left', { t: `0:${String(seconds).padStart(2, '0')}` });
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, text: t(`status_${status}`) });
}

export function ratingText(profile) {
  if (profile.average_rating === null || profile.average_rating === undefined) return t('no_rating');
  return t('rating_short', { r: profile.average_rating.toFixed(1), n: profile.reviews_count });
}

/** A field with its label, an optional hint and a place for its error. */
export function field(label, control, hint = null) {
  const error = h('p', { class: 'field-error', attrs: { role: 'alert' }, hidden: true });
  const wrap = h('label', { class: 'field' }, h('span', { class: 'label', text: label }), control,
    hint ? h('span', { class: 'hint', text: hint }) : null, error);
  return {
    wrap, control,
    // ``mark``: the part of the value the error is about, shown highlighted after the text.
    setError(text, mark = '') {
      error.replaceChildren(text || '', mark ? h('mark', { class: 'contact-span', text: mark }) : '');
      error.hidden = !text;
    },
  };
}
