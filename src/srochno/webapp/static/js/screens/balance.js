// Balance: the amount, a Telegram Stars top-up (the server's payment status decides, never
// the invoice callback), the development top-up, and the ledger.

import { api, newKey } from '../api.js';
import { h, mount } from '../dom.js';
import { formatTime, t } from '../i18n.js';
import { state, toast } from '../state.js';
import { haptic, openInvoice, setMainButton } from '../tg.js';

const DEV_AMOUNT = 100;
const STAR_PRESETS = [50, 100, 250, 500];
const PAYMENT_POLL_MS = 1500;
const PAYMENT_POLL_TRIES = 40;

const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function ledgerRow(entry) {
  const sign = entry.amount > 0 ? '+' : '';
  return h('li', { class: 'ledger-row', dataset: { type: entry.type } },
    h('div', { class: 'row' },
      h('span', { text: t(`ledger_${entry.type}`) }),
      h('strong', { class: entry.amount < 0 ? 'minus' : 'plus', text: `${sign}${entry.amount} ₽` })),
    h('div', { class: 'row muted small' },
      h('span', { text: formatTime(entry.created_at) }),
      entry.order_id ? h('a', { href: `#/order/${entry.order_id}`, text: `#${entry.order_id}` }) : null,
      h('span', { text: t('ledger_after', { n: entry.balance_after }) })));
}

export async function renderBalance(ctx) {
  const amount = h('strong', { class: 'balance-amount' });
  const ledger = h('ul', { class: 'ledger' });
  const payment = h('p', { class: 'payment-status', attrs: { role: 'status' }, hidden: true });
  const stars = h('input', { type: 'number', name: 'stars', min: 1, step: 1, value: STAR_PRESETS[1], attrs: { inputmode: 'numeric', 'aria-label': t('balance_stars_amount') } });

  const refresh = async () => {
    const [balance, page] = await Promise.all([api('/api/balance'), api('/api/balance/transactions?limit=50')]);
    if (!ctx.alive()) return;
    if (state.me) state.me = { ...state.me, balance: balance.balance };
    amount.textContent = `${balance.balance} ₽`;
    mount(ledger, page.items.length ? page.items.map(ledgerRow) : h('li', { class: 'muted', text: t('balance_ledger_empty') }));
  };

  const say = (text, kind = 'info') => {
    payment.textContent = text;
    payment.className = `payment-status ${kind}`;
    payment.hidden = false;
  };

  async function watchPayment(paymentId, callbackStatus) {
    for (let attempt = 0; attempt < PAYMENT_POLL_TRIES && ctx.alive(); attempt += 1) {
      const current = await api(`/api/balance/invoices/${encodeURIComponent(paymentId)}`);
      if (current.status === 'paid') {
        haptic('success');
        say(t('balance_paid', { n: current.amount_rub }), 'success');
        await refresh();
        return;
      }
      // The callback may only shorten the wait: a cancelled invoice is checked once.
      if (current.status !== 'pending' || callbackStatus === 'cancelled' || callbackStatus === 'failed') break;
      await wait(PAYMENT_POLL_MS);
    }
    say(t('balance_not_paid'), 'error');
    mount(payment, t('balance_not_paid'), ' ', h('button', {
      type: 'button', class: 'small secondary', text: t('balance_check'),
      on: { click: () => { say(t('balance_waiting')); watchPayment(paymentId, null).catch((e) => state.showError(e)); } },
    }));
  }

  async function payWithStars() {
    const count = Number(stars.value);
    if (!Number.isInteger(count) || count < 1) {
      stars.focus();
      return;
    }
    let invoice;
    try {
      invoice = await api('/api/balance/invoices', { method: 'POST', body: { stars: count }, headers: { 'Idempotency-Key': newKey() } });
    } catch (error) {
      if (error.status === 404 && error.code === 'not_found') say(t('balance_stars_unavailable'), 'error');
      else state.showError(error);
      return;
    }
    const callbackStatus = await openInvoice(invoice.invoice_url);
    say(t('balance_waiting'));
    await watchPayment(invoice.payment_id, callbackStatus).catch((error) => state.showError(error));
  }

  async function devRecharge() {
    try {
      const result = await api('/api/balance/recharge', { method: 'POST', body: { amount: DEV_AMOUNT }, headers: { 'Idempotency-Key': newKey() } });
      toast(t('balance_dev_done', { n: result.balance }), 'success');
      await refresh();
    } catch (error) {
      state.showError(error);
    }
  }

  mount(ctx.el,
    h('h1', { text: t('balance_title') }),
    h('div', { class: 'card balance-card' }, amount),
    h('section', { class: 'card' },
      h('h2', { text: t('balance_stars') }),
      h('div', { class: 'presets' }, STAR_PRESETS.map((n) => h('button', {
        type: 'button', class: 'small secondary', text: `${n} ★`, on: { click: () => { stars.value = n; setPay(); } },
      }))),
      stars, payment),
    state.devTools ? h('button', { type: 'button', class: 'secondary dev-recharge', text: t('balance_dev', { n: DEV_AMOUNT }), on: { click: devRecharge } }) : null,
    h('h2', { text: t('balance_ledger') }),
    ledger);

  const setPay = () => setMainButton(t('balance_stars_pay', { n: stars.value || 0 }), payWithStars);
  stars.addEventListener('input', setPay);
  setPay();
  await refresh();
  return null;
}
