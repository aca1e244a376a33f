// Where the user is: Telegram's LocationManager (Bot API 8.0) inside Telegram, the browser's
// geolocation outside it, nothing (the city filter) when neither gives a position.

import { WebApp, insideTelegram } from './tg.js';

const WAIT_MS = 15000;
let known = null;

function fromTelegram() {
  const manager = insideTelegram && WebApp && WebApp.LocationManager;
  if (!manager || typeof manager.init !== 'function') return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), WAIT_MS);
    const done = (value) => { clearTimeout(timer); resolve(value); };
    const ask = () => {
      if (!manager.isLocationAvailable) { done(null); return; }
      manager.getLocation((data) => {
        done(data && Number.isFinite(data.latitude) ? { lat: data.latitude, lon: data.longitude } : null);
      });
    };
    if (manager.isInited) ask();
    else manager.init(ask);
  });
}

function fromBrowser() {
  if (insideTelegram || !navigator.geolocation) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({ lat: position.coords.latitude, lon: position.coords.longitude }),
      () => resolve(null),
      { timeout: WAIT_MS, maximumAge: 300000 },
    );
  });
}

/** The user's position {lat, lon}, asked once per page load, or null. */
export async function currentPosition() {
  if (!known) known = (await fromTelegram()) || (await fromBrowser());
  return known;
}

/** `near` of the API: "lat,lon" with 5 decimals (about a metre). */
export const nearParam = (position) => `${position.lat.toFixed(5)},${position.lon.toFixed(5)}`;

/** A link that opens a map app at the point. */
export const mapUrl = (location) => `https://yandex.ru/maps/?pt=${location.lon},${location.lat}&z=17&l=map`;
