// The installable app outside Telegram (SPEC §23): the service worker (offline shell, Web
// Push) at scope /app/, and this device's push subscription for a signed-in web account.
// Inside Telegram the bot is the channel: nothing here runs there.

import { api } from './api.js';
import { $, h } from './dom.js';
import { language } from './i18n.js';
import { state, toast } from './state.js';
import { insideTelegram } from './tg.js';

const TEXTS = {
  ru: {
    on: '🔔 Уведомлять на этом устройстве',
    off: '🔕 Не уведомлять здесь',
    enabled: 'Новые заказы будут приходить на это устройство',
    disabled: 'Уведомления на этом устройстве выключены',
    denied: 'Уведомления запрещены в настройках браузера',
    failed: 'Не удалось включить уведомления',
  },
  en: {
    on: '🔔 Notify me on this device',
    off: '🔕 Stop notifying me here',
    enabled: 'New orders will reach this device',
    disabled: 'Notifications are off on this device',
    denied: 'Notifications are blocked in the browser settings',
    failed: 'Could not turn notifications on',
  },
};
const say = (key) => (TEXTS[language()] || TEXTS.ru)[key];

export const pushSupported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export async function subscribe(registration) {
  const { public_key: key } = await api('/api/push/key');
  const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  await api('/api/users/me/push-subscriptions', { method: 'POST', body: subscription.toJSON() });
  return subscription;
}

export async function unsubscribe(subscription) {
  await api('/api/users/me/push-subscriptions', { method: 'DELETE', body: { endpoint: subscription.endpoint } }).catch(() => null);
  await subscription.unsubscribe();
}

async function pushButton(registration) {
  const banner = $('#banner');
  if (!banner || banner.querySelector('.push-toggle')) return;
  let current = await registration.pushManager.getSubscription();
  // A subscription this browser keeps is renewed on each visit (the server may have dropped
  // it: a 410 from the push service, another account on this device).
  if (current && Notification.permission === 'granted') {
    api('/api/users/me/push-subscriptions', { method: 'POST', body: current.toJSON() }).catch(() => null);
  }
  const button = h('button', { type: 'button', class: 'small secondary push-toggle' });
  const draw = () => { button.textContent = say(current ? 'off' : 'on'); };
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      if (current) {
        await unsubscribe(current);
        current = null;
        toast(say('disabled'));
      } else if ((await Notification.requestPermission()) !== 'granted') {
        toast(say('denied'), 'error');
      } else {
        current = await subscribe(registration);
        toast(say('enabled'));
      }
    } catch {
      toast(say('failed'), 'error');
    } finally {
      button.disabled = false;
      draw();
    }
  });
  draw();
  banner.append(' ', button);
}

function whenReady(callback) {
  const root = document.documentElement;
  if (root.dataset.ready) {
    callback();
    return;
  }
  const observer = new MutationObserver(() => {
    if (!root.dataset.ready) return;
    observer.disconnect();
    callback();
  });
  observer.observe(root, { attributes: true, attributeFilter: ['data-ready'] });
}

export async function startPwa() {
  if (insideTelegram || !('serviceWorker' in navigator)) return null;
  const registration = await navigator.serviceWorker.register('sw.js', { scope: './' });
  document.documentElement.dataset.serviceWorker = 'registered';
  whenReady(() => {
    if (state.web && pushSupported()) pushButton(registration).catch(() => null);
  });
  return registration;
}

startPwa().catch(() => null);
