// Small DOM helpers: build elements without HTML strings, show API errors next to their fields, toasts.

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** An element: h("a", {href: "#/x", class: "y", onclick: f}, "text", child...). Text is never parsed as HTML. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/** Clear the error slots of a form (or any container). */
export function clearErrors(root) {
  for (const slot of $$("[data-error-for]", root)) slot.textContent = "";
  for (const input of $$("[aria-invalid]", root)) input.removeAttribute("aria-invalid");
}

/**
 * Put an ApiError's messages next to the fields they name (`errors[].field`, matched by its first segment, so
 * `style_preferences.mood` lands on `style_preferences`); what names no field here goes to the form's own slot.
 * `aliases` maps an API field to another slot (`{login: "login"}`).
 */
export function showErrors(root, error, aliases = {}) {
  clearErrors(root);
  const general = $('[data-error-for=""]', root);
  const unplaced = [];
  const errors = error?.errors?.length ? error.errors : [];
  for (const { field, message } of errors) {
    const name = aliases[field] ?? aliases[String(field).split(".")[0]] ?? String(field).split(".")[0];
    const slot = $(`[data-error-for="${CSS.escape(name)}"]`, root);
    if (!slot) {
      unplaced.push(field && field !== "body" ? `${field}: ${message}` : message);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    const input = root.querySelector(`[name="${CSS.escape(name)}"]`);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      if (!slot.id) slot.id = `error-${root.id || "form"}-${name}`;
      input.setAttribute("aria-describedby", slot.id);
    }
  }
  if (!errors.length) unplaced.push(error?.detail ?? String(error));
  if (general && unplaced.length) general.textContent = unplaced.join(" ");
  else if (unplaced.length) toast(unplaced.join(" "), true);
}

let toastTimer = null;

export function toast(text, isError = false) {
  const box = $("#toast");
  box.textContent = text;
  box.classList.toggle("error", isError);
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), isError ? 6000 : 2500);
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // no clipboard permission (an http page, say): select a field holding it instead
    const field = h("textarea", { class: "offscreen" }, text);
    document.body.append(field);
    field.select();
    document.execCommand("copy");
    field.remove();
  }
}

export function formatDate(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 && unit ? 1 : 0)} ${units[unit]}`;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
