// 土地核查: the upload form is sent with fetch (multipart, with the CSRF header the server
// requires of every state-changing request); on success the browser opens the run's page.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("land-form");
  if (!form) return;
  const message = document.getElementById("land-message");
  const button = document.getElementById("land-run");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.hidden = true;
    button.disabled = true;
    button.textContent = "正在核查……";
    try {
      const run = await window.mujun.api("/api/land", { method: "POST", body: new FormData(form) });
      window.location.assign("/land/" + run.id);
    } catch (e) {
      message.textContent = e.message;
      message.hidden = false;
      button.disabled = false;
      button.textContent = "开始核查";
    }
  });
});
