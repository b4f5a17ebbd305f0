// 亩均效益综合评价工作台: the little the pages do in the browser. Every request that changes
// data carries the session's CSRF token (from <meta name="csrf-token">) as X-CSRF-Token.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

/// fetch() with the CSRF header; JSON answers parsed, errors thrown with the server's message.
async function api(url, options = {}) {
  const headers = Object.assign({ "X-CSRF-Token": csrf() }, options.headers || {});
  const res = await fetch(url, Object.assign({}, options, { headers, credentials: "same-origin" }));
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new Error((body && body.error) || ("请求失败：" + res.status));
  return body;
}

window.mujun = { api };
