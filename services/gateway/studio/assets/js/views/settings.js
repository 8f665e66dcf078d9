// The account: profile (GET /users/me), API keys (/api-keys) and webhooks (/webhooks, their deliveries, replay).

import { call } from "../api.js";
import { $, $$, clearErrors, copyText, formatBytes, formatDate, h, showErrors, toast } from "../dom.js";

async function loadProfile() {
  try {
    const me = await call("GET", "/users/me");
    $("#profile").replaceChildren(
      h("p", {}, h("strong", {}, me.username), ` · ${me.email}`),
      h("p", { class: "hint" }, `${me.subscription_tier} plan · ${formatBytes(me.storage_used)} of ${formatBytes(me.storage_limit)} used`),
    );
  } catch (error) {
    $("#profile").replaceChildren(h("p", { class: "form-error" }, error.detail));
  }
}

async function loadKeys() {
  const keys = await call("GET", "/api-keys");
  $("#keys").replaceChildren(
    ...keys.map((key) =>
      h(
        "li",
        { class: "row-item", dataset: { id: key.id } },
        h("span", {}, h("strong", {}, key.name), " ", h("code", {}, `${key.hint}…`)),
        h("span", { class: "hint" }, `made ${formatDate(key.created_at)}`, key.last_used_at ? `, used ${formatDate(key.last_used_at)}` : ", never used"),
        h("button", { type: "button", class: "danger small", onclick: () => revokeKey(key) }, "Revoke"),
      ),
    ),
  );
  if (!keys.length) $("#keys").append(h("li", { class: "hint" }, "No API keys."));
}

async function revokeKey(key) {
  if (!confirm(`Revoke the key “${key.name}”? Programs using it stop working at once.`)) return;
  try {
    await call("DELETE", `/api-keys/${key.id}`);
    await loadKeys();
    toast("Key revoked");
  } catch (error) {
    toast(error.detail, true);
  }
}

async function deliveries(endpoint, box) {
  if (!box.hidden) {
    box.hidden = true;
    return;
  }
  try {
    const { items } = await call("GET", `/webhooks/${endpoint.id}/deliveries?limit=20`);
    box.replaceChildren(
      ...items.map((delivery) =>
        h(
          "li",
          { class: "row-item" },
          h("span", {}, h("code", {}, delivery.event), ` ${delivery.status}`, delivery.http_status ? ` (HTTP ${delivery.http_status})` : ""),
          h("span", { class: "hint" }, `${delivery.attempts} attempts · ${formatDate(delivery.updated_at)}`, delivery.error ? ` · ${delivery.error}` : ""),
          h("button", { type: "button", class: "small", onclick: () => replay(endpoint, delivery) }, "Send again"),
        ),
      ),
    );
    if (!items.length) box.append(h("li", { class: "hint" }, "Nothing delivered yet."));
    box.hidden = false;
  } catch (error) {
    toast(error.detail, true);
  }
}

async function replay(endpoint, delivery) {
  try {
    await call("POST", `/webhooks/${endpoint.id}/deliveries/${encodeURIComponent(delivery.id)}/replay`);
    toast("Sent again");
  } catch (error) {
    toast(error.detail, true);
  }
}

async function removeWebhook(endpoint) {
  if (!confirm(`Stop sending to ${endpoint.url}?`)) return;
  try {
    await call("DELETE", `/webhooks/${endpoint.id}`);
    await loadWebhooks();
    toast("Webhook removed");
  } catch (error) {
    toast(error.detail, true);
  }
}

async function loadWebhooks() {
  const endpoints = await call("GET", "/webhooks");
  $("#webhooks").replaceChildren(
    ...endpoints.map((endpoint) => {
      const log = h("ul", { class: "rows nested", hidden: true });
      return h(
        "li",
        { class: "row-item webhook", dataset: { id: endpoint.id } },
        h("span", {}, h("strong", {}, endpoint.url)),
        h(
          "span",
          { class: "hint" },
          endpoint.events.join(", "),
          ` · ${endpoint.status}`,
          endpoint.disabled_reason ? ` (${endpoint.disabled_reason})` : "",
          endpoint.description ? ` · ${endpoint.description}` : "",
        ),
        h(
          "span",
          { class: "row" },
          h("button", { type: "button", class: "small", onclick: () => deliveries(endpoint, log) }, "Deliveries"),
          h("button", { type: "button", class: "danger small", onclick: () => removeWebhook(endpoint) }, "Remove"),
        ),
        log,
      );
    }),
  );
  if (!endpoints.length) $("#webhooks").append(h("li", { class: "hint" }, "No webhooks."));
}

export function setup() {
  $("#key-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    clearErrors(form);
    try {
      const created = await call("POST", "/api-keys", { body: { name: form.elements.name.value.trim() } });
      $("#new-key-value").textContent = created.key;
      $("#new-key").hidden = false;
      await loadKeys();
    } catch (error) {
      showErrors(form, error);
    }
  });
  $("#webhook-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    clearErrors(form);
    const body = {
      url: form.elements.url.value.trim(),
      events: $$("input[name=events]:checked", form).map((box) => box.value),
    };
    if (form.elements.description.value.trim()) body.description = form.elements.description.value.trim();
    try {
      const created = await call("POST", "/webhooks", { body });
      $("#new-secret-value").textContent = created.secret;
      $("#new-secret").hidden = false;
      form.reset();
      await loadWebhooks();
    } catch (error) {
      showErrors(form, error);
    }
  });
  for (const button of $$("[data-copy]")) {
    button.addEventListener("click", async () => {
      await copyText($(`#${button.dataset.copy}`).textContent);
      toast("Copied");
    });
  }
}

export async function enter() {
  document.title = "Settings · Reelforge studio";
  $("#new-key").hidden = true;
  $("#new-secret").hidden = true;
  await Promise.all([loadProfile(), loadKeys().catch((e) => toast(e.detail, true)), loadWebhooks().catch((e) => toast(e.detail, true))]);
}
