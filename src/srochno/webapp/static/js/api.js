// The API client: JSON in and out, the Telegram initData as `Authorization: tma …`, errors
// as ApiError with the API's stable code.

let initData = '';
let renewInitData = null; // development: fetches a fresh signed initData when ours expires

export function setInitData(value, renew = null) {
  initData = value || '';
  renewInitData = renew;
}

export class ApiError extends Error {
  constructor(status, code, detail, body = null) {
    super(`${status} ${code}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.body = body;
  }
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function api(path, { method = 'GET', body, headers = {}, retried = false } = {}) {
  const request = { method, headers: { Accept: 'application/json', ...headers }, credentials: 'same-origin' };
  if (initData) request.headers.Authorization = `tma ${initData}`;
  // Outside Telegram the session cookie signs requests in: writes must say they come from
  // this page's own script (a form of another site cannot add a header).
  else request.headers['X-Srochno-CSRF'] = '1';
  if (body !== undefined) {
    request.headers['Content-Type'] = 'application/json';
    request.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, request);
  } catch {
    throw new ApiError(0, 'network_error', '');
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.ok) return data;
  const code = (data && typeof data.code === 'string' && data.code) || 'http_error';
  if (code === 'init_data_expired' && renewInitData && !retried) {
    initData = await renewInitData();
    return api(path, { method, body, headers, retried: true });
  }
  throw new ApiError(response.status, code, data && data.detail, data);
}

export const query = (params) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
};
