// My profile and subscriptions; another user's public profile with their reviews.

import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { categoryTitle, formatDate, formatTime, t } from '../i18n.js';
import { ratingText, state, toast } from '../state.js';
import { setMainButton } from '../tg.js';

const FREQUENCIES = ['instant', 'hourly', 'daily', 'off'];

function stats(profile) {
  const stat = (label, value, cls) => h('div', { class: `stat ${cls}` }, h('strong', { text: value }), h('span', { class: 'muted small', text: label }));
  return h('div', { class: 'stats' },
    stat(t('profile_rating'), profile.average_rating === null ? '—' : `★ ${profile.average_rating.toFixed(1)}`, 'rating'),
    stat(t('profile_reviews'), String(profile.reviews_count), 'reviews'),
    stat(t('profile_completed'), String(profile.completed_orders_count), 'completed'),
    stat(t('profile_complaints'), String(profile.complaints_count), 'complaints'));
}

export async function renderProfile(ctx) {
  const me = await state.refreshMe();
  if (!ctx.alive()) return null;
  const categories = state.categories.map((c) => h('label', { class: 'choice' },
    h('input', { type: 'checkbox', name: 'categories', value: c.slug, checked: me.subscribed_categories.includes(c.slug) }),
    h('span', { text: categoryTitle(c) })));
  const cities = h('input', { type: 'text', name: 'cities', value: me.subscribed_cities.join(', ') });
  const frequency = FREQUENCIES.map((f) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'frequency', value: f, checked: me.notification_frequency === f }),
    h('span', { text: t(`freq_${f}`) })));
  const name = [me.first_name, me.last_name].filter(Boolean).join(' ');
  mount(ctx.el,
    h('h1', { text: t('profile_title') }),
    h('div', { class: 'card' },
      h('p', { class: 'profile-name' }, h('strong', { text: name || `#${me.id}` }), me.username ? h('span', { class: 'muted', text: ` @${me.username}` }) : null),
      stats(me),
      h('a', { href: `#/user/${me.id}`, text: t('profile_public') })),
    h('h2', { text: t('profile_subscriptions') }),
    h('fieldset', { class: 'choices grid' }, h('legend', { text: t('profile_categories') }), categories),
    h('label', { class: 'field' }, h('span', { class: 'label', text: t('profile_cities') }), cities),
    h('fieldset', { class: 'choices' }, h('legend', { text: t('profile_frequency') }), frequency));
  setMainButton(t('profile_save'), async () => {
    const chosen = [...ctx.el.querySelectorAll('input[name=categories]:checked')].map((i) => i.value);
    const cityList = cities.value.split(',').map((c) => c.trim()).filter(Boolean);
    const freq = ctx.el.querySelector('input[name=frequency]:checked').value;
    try {
      await api('/api/users/me/preferences', { method: 'PUT', body: { categories: chosen, cities: cityList } });
      state.me = await api('/api/users/me/notification-settings', { method: 'PUT', body: { frequency: freq } });
      cities.value = state.me.subscribed_cities.join(', ');
      toast(t('profile_saved'), 'success');
    } catch (error) {
      state.showError(error);
    }
  });
  return null;
}

export async function renderUser(ctx) {
  const [id] = ctx.params;
  const [profile, reviews] = await Promise.all([
    api(`/api/users/${encodeURIComponent(id)}`),
    api(`/api/reviews?executor_id=${encodeURIComponent(id)}&limit=20`),
  ]);
  if (!ctx.alive()) return null;
  mount(ctx.el,
    h('h1', { text: profile.first_name || `#${profile.id}` }),
    h('p', { class: 'muted', text: `${ratingText(profile)} · ${t('user_since', { date: formatDate(profile.created_at) })}` }),
    h('div', { class: 'card' }, stats(profile)),
    h('h2', { text: t('user_reviews') }),
    reviews.items.length
      ? h('ul', { class: 'reviews' }, reviews.items.map((review) => h('li', { class: 'card review' },
        h('div', { class: 'row' }, h('strong', { text: '★'.repeat(review.rating) }), h('span', { class: 'muted small', text: formatTime(review.created_at) })),
        review.comment ? h('p', { text: review.comment }) : null)))
      : h('p', { class: 'muted', text: t('user_no_reviews') }));
  return null;
}
