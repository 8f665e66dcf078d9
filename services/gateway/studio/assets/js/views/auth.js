// Sign in and register: POST /auth/login (JSON) and POST /auth/register, errors next to their fields.

import { register, signIn } from "../api.js";
import { $, $$, clearErrors, showErrors } from "../dom.js";

function showTab(name) {
  for (const tab of $$("[data-tab]")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
  $("#login-form").hidden = name !== "login";
  $("#register-form").hidden = name !== "register";
}

function rerender() {
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}

async function submit(form, action) {
  const button = $("button[type=submit]", form);
  clearErrors(form);
  button.disabled = true;
  try {
    await action(new FormData(form));
    form.reset();
    rerender();
  } catch (error) {
    // the API names `email`, `username` or `password`; a wrong login names none
    showErrors(form, error, { identifier: "login", email: form.id === "login-form" ? "login" : "email" });
  } finally {
    button.disabled = false;
  }
}

export function setup() {
  for (const tab of $$("[data-tab]")) tab.addEventListener("click", () => showTab(tab.dataset.tab));
  $("#login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    submit(event.target, (data) => signIn(data.get("login").trim(), data.get("password")));
  });
  $("#register-form").addEventListener("submit", (event) => {
    event.preventDefault();
    submit(event.target, (data) =>
      register(data.get("email").trim(), data.get("username").trim(), data.get("password")),
    );
  });
}

export function enter() {
  document.title = "Sign in · Reelforge studio";
}
