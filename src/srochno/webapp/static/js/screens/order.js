// One order: its countdown from the server's clock, the paid take and the contact.

import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { errorText, formatTime, t } from '../i18n.js';
import { formatLeft, secondsLeft, serverClock, state, statusBadge, toast } from '../state.js';
import {
  canAddToHomeScreen, canShare, confirmAction, haptic, offerHomeScreen, openLink, openTelegramLink, setMainButton, shareMessage,
} from '../tg.js';
import { mapUrl } from '../geo.js';
import { reportBlock } from './report.js';

const PHONE = /^\+?[\d\s()-]{7,}$/;
const HANDLE = /^@([A-Za-z][A-Za-z0-9_]{3,31})$/;
const TME = /^(?:https?:\/\/)?t\.me\/([A-Za-z0-9_+/-]+)$/i;

/** How the paid contact is acted on: a phone opens the dialler, an @username or a t.me
 * link opens Telegram; any contact can be copied. */
export function contactActions(contact) {
  const value = contact.trim();
  if (PHONE.test(value)) return { tel: `tel:${value.replace(/[^\d+]/g, '')}` };
  const handle = HANDLE.exec(value);
  if (handle) return { telegram: `https://t.me/${handle[1]}` };
  const link = TME.exec(value);
  if (link) return { telegram: `https://t.me/${link[1]}` };
  return {};
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h('textarea', { value: text });
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  toast(t('order_contact_copied'), 'success');
}

function contactBlock(order, client) {
  if (order.contact === null) {
    // Only an order that can still be taken invites payment for its contact.
    const open = order.status === 'active' && order.slots_left > 0;
    return h('div', { class: 'card contact hidden-contact' },
      h('p', { text: open ? t('order_contact_hidden', { n: order.take_price }) : t('order_contact_closed') }),
      client && client.contact_verified ? h('p', { class: 'badge verified', text: t('order_phone_verified') }) : null);
  }
  const actions = contactActions(order.contact);
  return h('div', { class: 'card contact' },
    h('span', { class: 'label', text: t('order_contact') }),
    h('strong', { class: 'contact-value', text: order.contact }),
    h('div', { class: 'contact-actions row' },
      actions.tel ? h('a', { class: 'button call', href: actions.tel, text: t('order_contact_call') }) : null,
      actions.telegram ? h('button', { type: 'button', class: 'open-telegram', text: t('order_contact_open'), on: { click: () => openTelegramLink(actions.telegram) } }) : null,
      h('button', { type: 'button', class: 'copy', text: t('order_contact_copy'), on: { click: () => copy(order.contact) } })),
    placeBlock(order));
}

function takeQuestion(order, client) {
  const rating = client && client.rating !== null ? `★ ${client.rating.toFixed(1)}` : t('order_client_unrated');
  return t('order_take_confirm', {
    n: order.take_price,
    minutes: client ? client.refund_if_silent_minutes : 15,
    rating,
    complaints: t(`order_client_complaints_${client ? client.complaints : 'none'}`),
    verified: client && client.contact_verified ? t('order_client_verified') : '',
  });
}

// The exact place comes with the contact (the owner and the executors who paid).
function placeBlock(order) {
  if (!order.location) return null;
  const url = mapUrl(order.location);
  return h('div', { class: 'place' },
    order.address ? h('p', { class: 'address' }, h('span', { class: 'label', text: t('order_address') }), ' ', h('span', { class: 'address-value', text: order.address })) : null,
    h('a', { class: 'button secondary map-link', href: url, target: '_blank', rel: 'noopener', text: t('order_map'),
      on: { click: (event) => { event.preventDefault(); openLink(url); } } }));
}

export async function renderOrder(ctx) {
  const [id] = ctx.params;
  let order = await api(`/api/orders/${encodeURIComponent(id)}`);
  if (!ctx.alive()) return null;
  const client = order.is_owner ? null
    : await api(`/api/orders/${encodeURIComponent(id)}/client`).catch(() => null);
  if (!ctx.alive()) return null;
  let note = null;
  let ticker = 0;
  const report = reportBlock(order, Boolean(state.userId));

  const left = h('span', { class: 'left' });
  const draw = () => {
    const now = serverClock(order);
    const tick = () => {
      const seconds = secondsLeft(order, now);
      left.textContent = order.status === 'active' ? formatLeft(seconds) : '';
      if (order.status === 'active' && seconds === 0) {
        order = { ...order, status: 'expired' };
        draw();
      }
    };
    clearInterval(ticker);
    tick();
    ticker = setInterval(tick, 1000);
    mount(ctx.el,
      h('div', { class: 'row' }, h('h1', { text: state.categoryName(order.category) }), statusBadge(order.status)),
      h('div', { class: 'row meta' },
        h('span', { class: 'city', text: order.city }),
        left,
        h('span', { class: 'slots', text: t('slots', { left: order.slots_left, max: order.max_executors }) })),
      h('p', { class: 'card description full', text: order.description }),
      h('p', { class: 'muted small', text: formatTime(order.created_at) }),
      contactBlock(order, client),
      note,
      order.is_owner ? h('p', { class: 'muted', text: t('order_yours') }) : null,
      order.taken_by_me && !note ? h('p', { class: 'muted', text: t('order_already_mine') }) : null,
      state.me ? h('p', { class: 'muted small balance-line', text: t('order_balance', { n: state.me.balance }) }) : null,
      shareRow(),
      report);
    const canTake = order.status === 'active' && !order.is_owner && !order.taken_by_me && order.slots_left > 0;
    setMainButton(canTake ? t('order_take', { n: order.take_price }) : null, take);
  };

  function shareRow() {
    if (order.status !== 'active' || !state.userId) return null;
    return h('div', { class: 'row share-row' },
      canShare() ? h('button', { type: 'button', class: 'small secondary share', text: t('share_order'), on: { click: share } }) : null,
      canAddToHomeScreen() && !order.is_owner ? h('button', { type: 'button', class: 'small secondary home-screen', text: t('home_screen'), on: { click: offerHomeScreen } }) : null);
  }

  async function share() {
    try {
      const prepared = await api(`/api/orders/${encodeURIComponent(order.id)}/share`, { method: 'POST' });
      await shareMessage(prepared.prepared_message_id);
    } catch (error) {
      toast(errorText(error.code), 'error');
    }
  }

  async function take() {
    haptic('medium');
    if (!(await confirmAction(takeQuestion(order, client)))) return;
    try {
      const result = await api(`/api/orders/${encodeURIComponent(order.id)}/take`, { method: 'POST' });
      haptic('success');
      order = result.order;
      if (state.me) state.me = { ...state.me, balance: result.balance };
      const text = result.replayed
        ? t('order_replayed')
        : t('order_taken', { price: result.take.price_paid, balance: result.balance });
      note = h('p', { class: `card note ${result.replayed ? 'replayed' : 'paid'}`, attrs: { role: 'status' }, text });
    } catch (error) {
      haptic('error');
      note = h('div', { class: 'card error-box', attrs: { role: 'alert' } },
        h('p', { text: errorText(error.code) }),
        error.code === 'insufficient_balance'
          ? h('a', { class: 'button', href: '#/balance', text: t('order_topup') })
          : null);
      if (['order_full', 'order_expired', 'order_not_active'].includes(error.code)) {
        order = await api(`/api/orders/${encodeURIComponent(order.id)}`).catch(() => order);
      } else if (!error.status) {
        toast(errorText(error.code), 'error');
      }
    }
    if (ctx.alive()) draw();
  }

  draw();
  return () => clearInterval(ticker);
}
