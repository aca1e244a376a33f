// One order: its countdown from the server's clock, the paid take and the contact.

import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { errorText, formatTime, t } from '../i18n.js';
import { formatLeft, secondsLeft, serverClock, state, statusBadge, toast } from '../state.js';
import { haptic, setMainButton } from '../tg.js';
import { reportBlock } from './report.js';

function contactBlock(order) {
  if (order.contact === null) {
    return h('p', { class: 'card contact hidden-contact', text: t('order_contact_hidden', { n: order.take_price }) });
  }
  return h('div', { class: 'card contact' },
    h('span', { class: 'label', text: t('order_contact') }),
    h('strong', { class: 'contact-value', text: order.contact }));
}

export async function renderOrder(ctx) {
  const [id] = ctx.params;
  let order = await api(`/api/orders/${encodeURIComponent(id)}`);
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
      contactBlock(order),
      note,
      order.is_owner ? h('p', { class: 'muted', text: t('order_yours') }) : null,
      order.taken_by_me && !note ? h('p', { class: 'muted', text: t('order_already_mine') }) : null,
      state.me ? h('p', { class: 'muted small balance-line', text: t('order_balance', { n: state.me.balance }) }) : null,
      report);
    const canTake = order.status === 'active' && !order.is_owner && !order.taken_by_me && order.slots_left > 0;
    setMainButton(canTake ? t('order_take', { n: order.take_price }) : null, take);
  };

  async function take() {
    haptic('medium');
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
