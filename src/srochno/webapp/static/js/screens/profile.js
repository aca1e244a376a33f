// My profile and subscriptions; another user's public profile with their reviews.

import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { categoryTitle, formatDate, formatTime, language, t } from '../i18n.js';
import { ratingText, state, toast } from '../state.js';
import { currentPosition } from '../geo.js';
import { requestContact, requestWriteAccess, setMainButton } from '../tg.js';

const FREQUENCIES = ['instant', 'hourly', 'daily', 'off'];
const RADII = [1, 2, 3, 5, 10, 15, 20, 30, 50];

function stats(profile) {
  const stat = (label, value, cls) => h('div', { class: `stat ${cls}` }, h('strong', { text: value }), h('span', { class: 'muted small', text: label }));
  return h('div', { class: 'stats' },
    stat(t('profile_rating'), profile.average_rating === null ? '—' : `★ ${profile.average_rating.toFixed(1)}`, 'rating'),
    stat(t('profile_reviews'), String(profile.reviews_count), 'reviews'),
    stat(t('profile_completed'), String(profile.completed_orders_count), 'completed'),
    stat(t('profile_complaints'), String(profile.complaints_count), 'complaints'));
}

// The work area (a centre and a radius) and the duty switch.
function workArea(me, redraw = null) {
  let area = me.area;
  const radius = h('select', { name: 'radius_km', attrs: { 'aria-label': t('profile_radius') } },
    RADII.map((r) => h('option', { value: String(r), text: String(r), selected: (area ? area.radius_km : 10) === r })));
  const where = h('p', { class: 'muted small area-state' });
  const duty = h('input', { type: 'checkbox', name: 'duty', checked: Boolean(me.on_duty_until), disabled: !area });
  const dutyState = h('p', { class: 'muted small duty-state' });
  const show = (profile) => {
    area = profile.area;
    where.textContent = area ? `${area.lat.toFixed(4)}, ${area.lon.toFixed(4)} · ${t('distance', { n: area.radius_km })}` : t('profile_area_none');
    duty.checked = Boolean(profile.on_duty_until);
    duty.disabled = !area;
    dutyState.textContent = profile.on_duty_until ? t('profile_duty_until', { t: formatTime(profile.on_duty_until) }) : t('profile_duty_off');
  };
  const save = async (next) => {
    try {
      const current = state.me;
      state.me = await api('/api/users/me/preferences', { method: 'PUT', body: { categories: current.subscribed_categories, cities: current.subscribed_cities, area: next } });
      show(state.me);
    } catch (error) {
      state.showError(error);
    }
  };
  const here = h('button', { type: 'button', class: 'secondary area-here', text: t('profile_area_here'), on: { click: async () => {
    const position = await currentPosition();
    if (!position) { toast(t('feed_near_none'), 'error'); return; }
    await save({ lat: position.lat, lon: position.lon, radius_km: Number(radius.value) });
  } } });
  radius.addEventListener('change', () => { if (area) save({ ...area, radius_km: Number(radius.value) }); });
  duty.addEventListener('change', async () => {
    try {
      state.me = await api('/api/users/me/duty', { method: 'PUT', body: { on: duty.checked } });
      // On duty: orders nearby are sent at once, so the bot must be able to write.
      if (state.me.on_duty_until && state.me.notifications_reach === 'needs_start') {
        await allowMessages();
        if (redraw) await redraw();
        return;
      }
    } catch (error) {
      state.showError(error);
    }
    show(state.me);
  });
  show(me);
  return h('section', { class: 'card work-area' },
    h('h2', { text: t('profile_area') }), where,
    h('label', { class: 'field' }, h('span', { class: 'label', text: t('profile_radius') }), radius),
    here, h('p', { class: 'muted small', text: t('profile_area_bot') }),
    h('label', { class: 'choice' }, duty, h('span', { text: t('profile_duty') })), dutyState);
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
  const redraw = async () => { if (ctx.alive()) await renderProfile(ctx); };
  mount(ctx.el,
    reachBlock(me, redraw),
    phoneBlock(me, redraw),
    h('h1', { text: t('profile_title') }),
    h('div', { class: 'card' },
      h('p', { class: 'profile-name' }, h('strong', { text: name || `#${me.id}` }), me.username ? h('span', { class: 'muted', text: ` @${me.username}` }) : null),
      stats(me),
      h('a', { class: 'profile-link', href: `#/user/${me.id}`, text: t('profile_public') })),
    workArea(me, redraw),
    emailBlock(me, redraw),
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
      // Subscribed: the bot must be able to write, or no order will ever reach them.
      if (freq !== 'off' && chosen.length && state.me.notifications_reach === 'needs_start') {
        await allowMessages();
        await redraw();
      }
    } catch (error) {
      state.showError(error);
    }
  });
  return null;
}

/** Whether notifications reach me, with the button that fixes it (requestWriteAccess). */
function reachBlock(me, redraw) {
  const reach = me.notifications_reach;
  return h('div', { class: `card reach reach-${reach}`, dataset: { reach } },
    h('p', { text: t(`reach_${reach}`) }),
    // Granting write access also lifts a block (the server clears both marks).
    reach === 'needs_start' || reach === 'blocked'
      ? h('button', { type: 'button', class: 'allow-messages', text: t('reach_allow'), on: { click: () => allowMessages().then(redraw) } })
      : null);
}

/** Ask Telegram for write access; the next initData says so, and the server clears the
 * marks and sends what waited. */
export async function allowMessages() {
  const granted = await requestWriteAccess();
  if (granted) {
    state.me = await api('/api/users/me/write-access', { method: 'POST' }).catch(() => state.me);
  }
  return granted;
}

/** A Telegram account's verified address (the take and the reminders reach it by e-mail
 * too): a confirmation link is sent to it; a web account's address is its sign-in. */
function emailBlock(me, redraw) {
  if (me.notifications_reach === 'email') return null;
  if (me.email) {
    return h('section', { class: 'card email-address' },
      h('h2', { text: t('email_title') }),
      h('p', { class: 'email-verified', text: t('email_verified', { email: me.email }) }),
      h('button', { type: 'button', class: 'secondary remove-email', text: t('email_remove'), on: { click: async () => {
        try {
          await api('/api/users/me/email', { method: 'DELETE' });
          await redraw();
        } catch (error) {
          state.showError(error);
        }
      } } }));
  }
  const input = h('input', { type: 'email', name: 'email', attrs: { autocomplete: 'email', inputmode: 'email' } });
  const sent = h('p', { class: 'muted small email-sent', attrs: { role: 'status' } });
  const send = h('button', { type: 'button', class: 'secondary add-email', text: t('email_send'), on: { click: async () => {
    const email = input.value.trim();
    if (!email) { input.focus(); return; }
    send.disabled = true;
    try {
      await api('/api/users/me/email', { method: 'POST', body: { email, lang: language() } });
      sent.textContent = t('email_sent', { email });
    } catch (error) {
      state.showError(error);
    } finally {
      send.disabled = false;
    }
  } } });
  return h('section', { class: 'card email-address' },
    h('h2', { text: t('email_title') }),
    h('p', { class: 'muted small', text: t('email_hint') }),
    h('label', { class: 'field' }, h('span', { class: 'label', text: t('email_label') }), input),
    send, sent);
}

function phoneBlock(me, redraw) {
  if (me.verified_phone) return h('p', { class: 'card badge verified phone-verified', text: t('phone_verified_badge', { phone: me.verified_phone }) });
  return h('button', {
    type: 'button', class: 'verify-phone secondary', text: t('phone_verify'),
    on: { click: async () => { if (await requestContact()) await waitForPhone(redraw); } },
  });
}

/** The bot receives the contact a moment after Telegram says it was shared. */
async function waitForPhone(redraw) {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const me = await state.refreshMe().catch(() => null);
    if (me && me.verified_phone) break;
    await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
  }
  await redraw();
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
    profile.phone_verified ? h('p', { class: 'badge verified phone-verified', text: t('order_phone_verified') }) : null,
    h('div', { class: 'card' }, stats(profile)),
    h('h2', { text: t('user_reviews') }),
    reviews.items.length
      ? h('ul', { class: 'reviews' }, reviews.items.map((review) => h('li', { class: 'card review' },
        h('div', { class: 'row' }, h('strong', { text: '★'.repeat(review.rating) }), h('span', { class: 'muted small', text: formatTime(review.created_at) })),
        review.comment ? h('p', { text: review.comment }) : null)))
      : h('p', { class: 'muted', text: t('user_no_reviews') }));
  return null;
}
