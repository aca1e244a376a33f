// Building DOM nodes without HTML strings: every text goes in as a text node.

/**
 * h('button', {class: 'x', on: {click: fn}, attrs: {type: 'button'}}, 'text', child)
 * Strings and numbers become text nodes; arrays are flattened; null/false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'on') for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    else if (key === 'attrs') for (const [name, v] of Object.entries(value)) {
      if (v !== undefined && v !== null && v !== false) el.setAttribute(name, v === true ? '' : String(v));
    }
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el[key] = value; // DOM properties: value, checked, disabled, hidden, href, type…
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
